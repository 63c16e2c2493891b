"""Parameter records: meaning travels with the values, and bad values are refused."""

import math

import numpy as np
import pytest

from physiology.fitness_fatigue import BanisterParams, BussoParams, CalvertParams, PerPotParams
from physiology.load import PMC  # noqa: F401  (public surface imports cleanly)
from physiology.params import Interval

RECORDS = (BanisterParams, BussoParams, CalvertParams, PerPotParams)


def test_interval_parse_and_membership():
    iv = Interval.parse("(0, inf)")
    assert iv.low == 0 and iv.high == math.inf and iv.low_open and iv.high_open
    inside = iv.contains(np.array([-1.0, 0.0, 1e-300, np.nan])).tolist()
    assert inside == [False, False, True, False]
    closed = Interval.parse("[0, 1]")
    assert closed.contains(np.array([0.0, 1.0, 1.0000001])).tolist() == [True, True, False]
    assert str(closed) == "[0, 1]" and str(iv) == "(0, inf)"
    with pytest.raises(ValueError, match="expected a form"):
        Interval.parse("0..1")


@pytest.mark.parametrize("record", RECORDS)
def test_every_field_carries_its_meaning(record):
    spec = record.spec()
    assert spec, record
    for p in spec.values():
        assert p.units and p.description and p.source
        assert p.bounds[0] <= p.default <= p.bounds[1]
        assert p.domain.contains(p.default)
        assert p.source.startswith("assumption:") or any(c.isdigit() for c in p.source)
    table = record.table()
    assert all(f"`{name}`" in table for name in spec)
    default = record()
    assert default.values() == tuple(p.default for p in spec.values())


def test_records_are_immutable_and_replace_validates():
    p = BanisterParams()
    with pytest.raises(AttributeError):
        p.tau1 = 3.0
    assert p.replace(tau1=30.0).tau1 == 30.0
    message = r"BanisterParams.tau1 = -1.0: expected a value in \(0, inf\) d"
    with pytest.raises(ValueError, match=message):
        p.replace(tau1=-1.0)


def test_array_fields_name_the_offending_index():
    with pytest.raises(ValueError, match=r"BanisterParams.tau2\[1\] = 0.0"):
        BanisterParams(tau2=np.array([10.0, 0.0, 3.0]))
    with pytest.raises(ValueError, match=r"PerPotParams.ds = 0.5: expected a value in \[1, inf\)"):
        PerPotParams(ds=0.5)
    with pytest.raises(ValueError, match="expected a real number"):
        BanisterParams(k1="fast")


def test_batch_shape_broadcasts_fields():
    p = BanisterParams(tau1=np.ones((3, 1)) * 30, k1=np.ones(4))
    assert p.batch_shape() == (3, 4)
    assert BanisterParams().batch_shape() == ()


def test_array_fields_are_read_only_copies():
    """Editing the caller's array afterwards cannot bypass validation."""
    tau = np.array([20.0, 30.0])
    p = BanisterParams(tau1=tau)
    tau[1] = 0.0
    assert p.tau1[1] == 30.0 and not p.tau1.flags.writeable


def test_cross_field_rule_calvert_rise_below_decay():
    with pytest.raises(ValueError, match=r"tau3 = 20.0 d must be below tau1 = 5.0 d"):
        CalvertParams(tau1=5.0, tau3=20.0)
