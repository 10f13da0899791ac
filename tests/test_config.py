"""unifica.toml: the DESIGN.md shape works as written; mistakes are one clear line."""
from __future__ import annotations

from pathlib import Path

import pytest

from schemas.records import OnExisting, RecordKind
from tests.conftest import write_config
from unifica.config import load_config
from unifica.errors import UnificaError

DESIGN_EXAMPLE = '''
[warehouse]
path = "unifica.duckdb"

[sources.web_form]                      # one table per source
files = ["data/sample/web_form*.csv"]   # customer records; globs relative to this file
format = "csv"                          # csv | xlsx | jsonl; default from the extension
encoding = "utf-8"
country = "CO"                          # default country for phones and document types
on_existing = "replace"                 # identity rule: skip | replace | fail
accounts = ["data/sample/erp_accounts.csv"]   # optional related files, same keys as DESIGN
tickets = []
attachments = []
relations = []

[sources.web_form.columns]              # canonical name = this source's header
source_record_id = "id"
first_name = "nombre"

[matching]
auto_merge = 0.95                       # thresholds on match_probability
review = 0.60

[export]
allowed_roles = ["admin", "steward"]

[schedule]
cron = "0 2 * * *"
'''


def test_design_example_config_loads(tmp_path: Path) -> None:
    (tmp_path / "data" / "sample").mkdir(parents=True)
    for name in ("web_form_1.csv", "web_form_2.csv", "erp_accounts.csv"):
        (tmp_path / "data" / "sample" / name).write_text("id\n", encoding="utf-8")
    config = load_config(write_config(tmp_path, DESIGN_EXAMPLE))
    source = config.sources["web_form"]
    assert config.warehouse == tmp_path / "unifica.duckdb"
    assert [p.name for p in source.paths()] == ["web_form_1.csv", "web_form_2.csv"]
    assert [p.name for p in source.paths(RecordKind.ACCOUNTS)] == ["erp_accounts.csv"]
    assert source.columns == {"source_record_id": "id", "first_name": "nombre"}
    assert source.on_existing is OnExisting.REPLACE and source.country == "CO"
    assert (config.matching.auto_merge, config.matching.review) == (0.95, 0.60)
    assert config.allowed_export_roles == ("admin", "steward") and config.schedule_cron == "0 2 * * *"


@pytest.mark.parametrize("body, message", [
    ('[sources.a]\nfiles = ["a.csv"]\nformat = "xls"\n', 'format = "xls" is not one of csv, xlsx, jsonl'),
    ('[sources.a]\nfiles = ["a.csv"]\non_existing = "merge"\n', 'on_existing = "merge" is not one of'),
    ('[sources.a]\nfiles = ["a.csv"]\n[sources.a.columns]\nnombre = "x"\n', "'nombre' is not a canonical column"),
    ('[sources.a]\nfiles = ["a.csv"]\nencodign = "latin-1"\n', "unknown key 'encodign'"),
    ('[sources.a]\nfiles = ["a.csv"]\nencoding = "latin-9x"\n', "not an encoding Python knows"),
    ('[matching]\nauto_merge = 0.5\nreview = 0.9\n', "review (0.9) must not be above auto_merge (0.5)"),
    ('[matching]\nauto_merge = 2\n', "auto_merge must be a number between 0 and 1"),
    ('[sources.a\nfiles = 1\n', "not valid TOML"),
    ('[merge]\nsurvivorship = ["most_complete", "richest"]\n', "'richest' is not a survivorship rule"),
    ('[merge]\nsurvivorship = []\n', "name at least one rule"),
    ('[merge]\nfill_missing = "yes"\n', "fill_missing must be true or false"),
    ('[schedule]\ntimezone = "Mars/Olympus"\n', 'timezone = "Mars/Olympus" is not a time zone name'),
    ('[runtime]\ntask_runner = "ray"\n', 'task_runner = "ray" is not one of default, dask'),
    ('[runtime]\nworkers = 0\n', "workers must be a whole number of at least 1"),
])
def test_config_mistakes_name_the_section_and_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(UnificaError) as exc:
        load_config(write_config(tmp_path, body))
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_missing_config_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(UnificaError, match="unifica init"):
        load_config(tmp_path / "unifica.toml")
