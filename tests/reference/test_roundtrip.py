"""Round trip: our exported values pass crosscheck; one perturbed value fails, alone."""

import json

from exactspin.cli.main import main
from exactspin.reference import export
from exactspin.reference.io import read_rows


def test_perturbed_value_is_the_only_failure(tmp_path, capsys):
    rows = export.numeric_rows()[:4] + export.quantum_rows()[:2]
    path = tmp_path / "reference.json"
    path.write_text(json.dumps({"schema_version": 1, "rows": rows}, indent=1))
    assert main(["crosscheck", str(path)]) == 0

    rows[2]["upper_branch_current"] *= 1 + 1e-4
    path.write_text(json.dumps({"schema_version": 1, "rows": rows}, indent=1))
    capsys.readouterr()
    assert main(["crosscheck", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    failed = [row for row in report["rows"] if row["verdict"] == "FAIL"]
    # A comparison is located at its observable's key (indent=1 puts each key on its own line).
    perturbed_line = read_rows(str(path))[2].positions["upper_branch_current"][0]
    assert [(row["line"], row["observable"]) for row in failed] == [
        (perturbed_line, "upper_branch_current")
    ]


def test_stderr_rows_are_judged_in_standard_errors(tmp_path, capsys):
    (row,) = export.numeric_rows()[:1]
    exact = row["left_bath_current"]
    path = tmp_path / "mc.csv"
    path.write_text(
        "model,nu,nd,left_bath_current,left_bath_current_stderr\n"
        f"classical,{row['nu']},{row['nd']},{exact + 4e-5},1e-5\n"
        f"classical,{row['nu']},{row['nd']},{exact + 6e-5},1e-5\n"
    )
    assert main(["crosscheck", str(path), "--json"]) == 1
    verdicts = [r["verdict"] for r in json.loads(capsys.readouterr().out)["rows"]]
    assert verdicts == ["pass", "FAIL"]
