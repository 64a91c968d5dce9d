"""Why partial-secular, secular and ULE break Kirchhoff (I_L = I_U - I_D) and Redfield does not.

A dissipator of the form D_b(rho) = [Q_b, X_b(rho)] (Redfield with or without the Lamb shift, and
HEOM's bath terms) cannot change the expectation of any operator A that commutes with Q_b, because
Tr(A [Q, X]) = Tr([A, Q] X). sz of a bulk site commutes with both bath couplings, so energy enters
only at the bath sites and the site currents obey Kirchhoff to rounding. The filtered jump operators
of the secular, partial-secular and universal Lindblad forms act on bulk sites directly.
"""

import pytest

from exactspin.quantum import solve
from exactspin.quantum.equations import (
    EQUATIONS,
    LOCAL_LINDBLAD,
    REDFIELD,
    REDFIELD_LAMB_SHIFT,
    EquationModel,
    bulk_dissipation,
    equation_checks,
)
from exactspin.quantum.redfield import build_generator

COMMUTATOR_FORMS = (REDFIELD, REDFIELD_LAMB_SHIFT, LOCAL_LINDBLAD)


@pytest.mark.parametrize("equation", EQUATIONS)
def test_kirchhoff_holds_exactly_when_the_bath_acts_only_through_a_commutator(equation):
    model = EquationModel.from_parameters(delta=0.5, equation=equation)
    generator = build_generator(model)
    bulk = [site for site in range(model.sites) if site not in model.bath_sites]
    defect = max(bulk_dissipation(generator, site, bath) for site in bulk for bath in (0, 1))
    solution = solve(model)
    kirchhoff = abs(equation_checks(solution)["kirchhoff_error"])
    if equation in COMMUTATOR_FORMS:
        assert defect < 1e-14
        assert kirchhoff < 1e-11 * max(abs(solution.left_bath_current), 1e-300) or kirchhoff < 1e-15
    else:
        assert defect > 1e-2
        assert kirchhoff > 0.1 * abs(solution.left_bath_current)
        assert "Kirchhoff" in equation_checks(solution)["equation_note"]
