"""The scalar math of :mod:`physiology.kernels.ops`, over ``jax.numpy``.

Same names, same meaning; the JAX backend binds kernel code's ``ops`` global here.
"""

import jax.numpy as jnp

exp = jnp.exp
expm1 = jnp.expm1
log = jnp.log
sqrt = jnp.sqrt
sin = jnp.sin
cos = jnp.cos
atan2 = jnp.arctan2
pi = jnp.pi
where = jnp.where
minimum = jnp.minimum
maximum = jnp.maximum
floor = jnp.floor
