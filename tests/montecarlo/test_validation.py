"""Bad input is refused with the parameter's name before any chain runs."""

import pytest

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import simulate
from exactspin.validation import ParameterError

MODEL = ClassicalModel.from_parameters()


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        ({"steps": 10}, "steps"),
        ({"steps": -5}, "steps"),
        ({"steps": 1.5}, "steps"),
        ({"replicas": 0}, "replicas"),
        ({"seed": -1}, "seed"),
        ({"burn_in": -1}, "burn_in"),
        ({"batches": 3}, "batches"),
        ({"workers": 0}, "workers"),
        ({"pairs": [(0, 7)]}, "pairs"),
        ({"pairs": [(2, 2)]}, "pairs"),
        ({"pairs": [(1,)]}, "pairs"),
    ],
)
def test_invalid_arguments_name_the_parameter(kwargs, parameter):
    arguments = {"steps": 1000} | kwargs
    with pytest.raises(ParameterError) as error:
        simulate(MODEL, **arguments)
    assert error.value.parameter == parameter


def test_a_model_is_required():
    with pytest.raises(ParameterError):
        simulate({"nu": 2}, 1000)
