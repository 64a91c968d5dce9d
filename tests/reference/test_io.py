"""Unreadable crosscheck input exits with status 2 and names the line and column at fault."""

import pytest

from exactspin.cli.main import main
from exactspin.reference.io import ReferenceInputError, read_rows


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("name", "text", "line", "column"),
    [
        ("bad_number.csv", "model,nu,nd,left_bath_current\nclassical,2,x,0.1\n", 2, 3),
        ("short_row.csv", "model,nu,left_bath_current\nclassical,2\n", 2, 3),
        ("no_model.csv", "nu,left_bath_current\n2,0.1\n", 1, 1),
        ("bad_model.csv", "model,left_bath_current\nclassic,0.1\n", 2, 1),
        ("integer.csv", "model,nu,left_bath_current\nclassical,2.5,0.1\n", 2, 2),
        ("syntax.json", '[{"model": "classical",\n  "nu": 2,,}]', 2, 11),
        ("wrong_parameter.json", '[{"model": "quantum",\n "j1": 3, "left_bath_current": 1}]', 2, 2),
        ("not_rows.json", '{"schema": "x"}', 1, 1),
        ("scalar_row.json", "[\n 3\n]", 2, 2),
        ("stderr_alone.csv", "model,left_bath_current_stderr\nclassical,0.1\n", 2, 2),
    ],
)
def test_malformed_input_is_located(tmp_path, capsys, name, text, line, column):
    path = _write(tmp_path, name, text)
    with pytest.raises(ReferenceInputError) as raised:
        read_rows(path)
    assert (raised.value.line, raised.value.column) == (line, column)
    assert main(["crosscheck", path]) == 2
    assert f"{path}:{line}:{column}:" in capsys.readouterr().err


def test_csv_and_json_rows_read_the_same(tmp_path):
    csv_rows = read_rows(
        _write(
            tmp_path,
            "rows.csv",
            "model,nu,nd,j2,dynamics,mu,left_bath_current,left_bath_current_stderr\n"
            "classical,1,0,1.0,q2r,,0.25,0.01\n",
        )
    )
    json_rows = read_rows(
        _write(
            tmp_path,
            "rows.json",
            '[{"model": "classical", "nu": 1, "nd": 0, "j2": 1.0, "dynamics": "q2r",'
            ' "left_bath_current": 0.25, "left_bath_current_stderr": 0.01}]',
        )
    )
    for rows in (csv_rows, json_rows):
        (row,) = rows
        assert row.parameters == {"nu": 1, "nd": 0, "j2": 1.0, "dynamics": "q2r"}
        assert row.observables == {"left_bath_current": 0.25}
        assert row.stderrs == {"left_bath_current": 0.01}
