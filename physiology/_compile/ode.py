r"""ODE kernels: a model gives its right-hand side, the step is classical RK4, written once.

An ODE model supplies, as scalar kernel code (module-level, math through ``ops``):

``drive(u, c) -> (d, k, dt)``
    From the step's inputs and the prepared constants: what stays constant over the step
    (for a light-driven model, the photoreceptor drive computed from that step's lux,
    since ``light[i]`` holds from :math:`t_i` to :math:`t_{i+1}`), the constants the
    right-hand side needs, and the step length.
``rhs(s, d, k) -> ds/dt``
    The derivative of the state tuple.

The step is the classical fourth-order Runge-Kutta scheme

.. math::

    k_1 = f(s), \quad k_2 = f(s + \tfrac{h}{2}k_1), \quad k_3 = f(s + \tfrac{h}{2}k_2),
    \quad k_4 = f(s + h k_3), \quad s' = s + \tfrac{h}{6}(k_1 + 2k_2 + 2k_3 + k_4)

generated once as Python source for the state's length (:func:`rk4_source`): the Numba
backend writes it into the kernel's generated module (so it is cached on disk like any
kernel), the JAX backend executes the same text with the rebound ``drive`` and ``rhs``.
The step's outputs are the state after the step.
"""

from __future__ import annotations


def rk4_source(n_state: int) -> str:
    """Source of ``_ode_step(s, u, c)``: one RK4 step, calling globals ``_drive``, ``_rhs``."""

    def stage(k: str, h: str) -> str:
        return "(" + ", ".join(f"s[{i}] + {h} * {k}[{i}]" for i in range(n_state)) + ",)"

    combine = ", ".join(f"s[{i}] + w * (k1[{i}] + 2.0 * k2[{i}] + 2.0 * k3[{i}] + k4[{i}])"
                        for i in range(n_state))
    return "\n".join([
        "def _ode_step(s, u, c):",
        "    d, k, dt = _drive(u, c)",
        "    h = 0.5 * dt",
        "    k1 = _rhs(s, d, k)",
        f"    k2 = _rhs({stage('k1', 'h')}, d, k)",
        f"    k3 = _rhs({stage('k2', 'h')}, d, k)",
        f"    k4 = _rhs({stage('k3', 'dt')}, d, k)",
        "    w = dt / 6.0",
        f"    s = ({combine},)",
        "    return s, s",
        "",
    ])
