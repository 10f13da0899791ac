"""Record schemas: the canonical columns of every input kind, one frozen dataclass per kind."""
