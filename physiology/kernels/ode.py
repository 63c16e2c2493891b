r"""ODE kernels: a model gives its right-hand side, the step is classical RK4, written once.

An ODE model supplies, as scalar kernel code (module-level, math through ``ops``):

``drive(u, c) -> (d, k, dt)``
    From the step's inputs and the prepared constants: what stays constant over the step
    (for a light-driven model, the photoreceptor drive computed from that step's lux,
    since ``light[i]`` holds from :math:`t_i` to :math:`t_{i+1}`), the constants the
    right-hand side needs, and the step length.
``rhs(s, d, k) -> ds/dt``
    The derivative of the state, as the model's ``State`` named tuple (each field the
    time derivative of the same field of the state).

The step is the classical fourth-order Runge-Kutta scheme

.. math::

    k_1 = f(s), \quad k_2 = f(s + \tfrac{h}{2}k_1), \quad k_3 = f(s + \tfrac{h}{2}k_2),
    \quad k_4 = f(s + h k_3), \quad s' = s + \tfrac{h}{6}(k_1 + 2k_2 + 2k_3 + k_4)

generated once as Python source, field by field of the state (:func:`rk4_source`): the
Numba backend writes it into the kernel's generated module (so it is cached on disk like
any kernel), the JAX backend executes the same text with the rebound ``drive`` and
``rhs``. The step's outputs are the state after the step.
"""

from __future__ import annotations

from physiology.kernels.structure import paths, subtypes


def rk4_source(state: type, *, given_drive: bool = False) -> str:
    """Source of ``_ode_step(s, u, c)``: one RK4 step over the fields of the flat named
    tuple ``state``, calling globals ``_drive``, ``_rhs`` and ``_State`` (the class).

    With ``given_drive``, ``_ode_step_given(s, u, c, d)``: the same step with the drive
    ``d`` given (computed earlier from the same ``u`` and ``c``, so the same value), for
    a loop that reuses it while the input does not change; ``k`` and ``dt`` still come
    from ``_drive`` (the unused ``d`` is dead code to the compiler)."""
    if any(subtypes(state).values()):
        raise TypeError(f"{state.__name__}: an ODE state must be a flat named tuple")
    names = paths(state)

    def stage(k: str, h: str) -> str:
        return "_State(" + ", ".join(f"s.{n} + {h} * {k}.{n}" for n in names) + ")"

    combine = ", ".join(f"s.{n} + w * ({a}.{n} + 2.0 * {b}.{n} + 2.0 * {c}.{n} + {d}.{n})"
                        for n in names for a, b, c, d in [("k1", "k2", "k3", "k4")])
    head = (["def _ode_step_given(s, u, c, d):", "    _, k, dt = _drive(u, c)"] if given_drive
            else ["def _ode_step(s, u, c):", "    d, k, dt = _drive(u, c)"])
    return "\n".join([
        *head,
        "    h = 0.5 * dt",
        "    k1 = _rhs(s, d, k)",
        f"    k2 = _rhs({stage('k1', 'h')}, d, k)",
        f"    k3 = _rhs({stage('k2', 'h')}, d, k)",
        f"    k4 = _rhs({stage('k3', 'dt')}, d, k)",
        "    w = dt / 6.0",
        f"    s = _State({combine})",
        "    return s, s",
        "",
    ])
