"""Small kernels that exercise the mechanism itself (module-level, as kernels must be)."""

from physiology._compile import scalar_ops as ops
from physiology._compile.kernel import Kernel


def prepare(p, s0):
    (scale,) = p
    (total,) = s0
    return (scale,), (total,)


#: A module constant the compiled step reads (Numba freezes it into the machine code).
OFFSET = 0.0


def step(s, u, c):
    (total,) = s
    (w,) = u
    (scale,) = c
    inverse = ops.where(w > 0.0, scale / w, 0.0) + OFFSET   # 1/0 must not trap
    total = total + inverse
    return (total,), (inverse, total)


#: Same name as the Banister kernel on purpose: compiled loops are keyed by kernel, not name.
GUARDED = Kernel(name="banister", prepare=prepare, step=step, params=("scale",),
                 state=("total",), inputs=("load",), outputs=("inverse", "total"))
