# syntax=docker/dockerfile:1
# The athlete-twin image: twin-run and the other CLIs, the twin service (twin-serve) and
# Ray, for the KubeRay manifests in deploy/k8s (RayJob, RayService) and the plain
# Deployment there. Built from this repository's own files only:
#   docker build -t ghcr.io/<org>/athlete-twin:0.1.0 .
# (the tag is deploy/k8s/kustomization.yaml's `images:` entry; tests/test_deploy.py keeps
# it, the version label below and pyproject's version the same).
FROM python:3.11-slim

# Ray in the image: the version KubeRay is told (`rayVersion` in deploy/k8s) and the one
# pip installs must agree; tests/test_deploy.py checks the manifests against this pin.
ARG RAY_VERSION=2.60.0

LABEL org.opencontainers.image.title="athlete-twin" \
      org.opencontainers.image.description="Athlete digital-twin engine: scenario sweeps on Ray (twin-run) and the twin service (twin-serve)" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim"

# KubeRay's layout for Ray images: bash (KubeRay runs `ulimit -n 65536; ray start ...`
# under `bash -lc`), wget (KubeRay's exec probes on Ray pods call it), and a user `ray`
# of uid 1000 in group `users` (gid 100) whose home is the working directory.
RUN apt-get update \
    && apt-get install -y --no-install-recommends bash wget \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 --gid 100 --shell /bin/bash ray

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1

# The project, from the build context. conf/ is copied beside the packages and the
# install is editable: twin.apps.config finds the Hydra configs as ../../conf from its own
# file (CONF_DIR), which a wheel in site-packages would not have (as the cluster YAMLs'
# `pip install -e`). The tree stays root's: the ray user reads it and writes only $HOME
# (the compiled-kernel cache ~/.cache/athlete-twin) and /tmp (Ray's session files).
WORKDIR /opt/athlete-twin
COPY pyproject.toml README.md ./
COPY physiology ./physiology
COPY scenarios ./scenarios
COPY calibration ./calibration
COPY twin ./twin
COPY conf ./conf
RUN pip install -e ".[serve,serve-ray]" "ray[default,serve]==${RAY_VERSION}" \
    && ray --version && twin-run --help >/dev/null

USER 1000:100
ENV HOME=/home/ray
WORKDIR /home/ray

# KubeRay replaces the command of Ray pods with `ray start`; the plain Deployment runs
# `twin-serve --host 0.0.0.0`; this default is for `docker run IMAGE twin-run ...` too.
CMD ["twin-run", "--help"]
