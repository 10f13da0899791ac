-- A customer's contact details that a new or edited one would repeat: the same kind and
-- normalised value, or (for a social network, $single_per_kind) any profile of that network.
-- $contact_id is the contact being edited (never a clash with itself), -1 when adding.
SELECT contact_id, kind, value, value_norm = $value_norm AS same_value
FROM contact_details
WHERE customer_id = $customer_id AND kind = $kind AND contact_id <> $contact_id
  AND (value_norm = $value_norm OR $single_per_kind)
ORDER BY same_value DESC, contact_id
LIMIT 1;
