"""deploy/: the image and the Kubernetes manifests (issue 19, part 3).

The KubeRay resources (RayJob, RayService) are validated against the ``openAPIV3Schema``
of KubeRay's own CRDs (``deploy/kuberay-crds/``, copies of ``../shared/data/kuberay-crds``
kept in the project as ``calibration/data/`` keeps its reference data), read as the API
server reads a structural schema (:func:`structural`). The built-in objects are validated
against the core/v1 schemas those CRDs embed (controller-gen copies them from k8s.io/api):
PodTemplateSpec, ServiceSpec, PersistentVolumeClaimSpec and ObjectMeta; the parts of a
Deployment outside the pod template follow the Kubernetes API reference (apps/v1). Then
the manifests are checked against the project: console scripts, Hydra overrides, the
image, Ray's version, the Serve config. Nothing here needs docker, kubectl or a cluster.
"""

from __future__ import annotations

import ast
import copy
import fnmatch
import functools
import hashlib
import importlib.util
import re
import shlex
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from jsonschema.exceptions import ValidationError
from packaging.requirements import Requirement  # packaging: a dependency of pytest

REPO = Path(__file__).resolve().parents[1]
K8S = REPO / "deploy" / "k8s"
CRDS = REPO / "deploy" / "kuberay-crds"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
# twin-serve is the service's console script, added to [project.scripts] with the service
# itself (issue 19, part 1); until then the manifests may name it and nothing else new.
SCRIPTS = set(PYPROJECT["project"]["scripts"]) | {"twin-serve"}
# libyaml's loader reads the 3.3 MB of CRDs in well under a second (pure Python: ~10 s).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


# --- Kubernetes structural schemas as JSON schemas ------------------------------------

def structural(schema: dict) -> dict:
    """A structural schema (apiextensions.k8s.io/v1) as a JSON schema checking what the API
    server checks with `kubectl apply --validate=strict` (kubectl's default):

    - a field an object does not declare is an error (the API server prunes it, and strict
      field validation refuses it), unless ``x-kubernetes-preserve-unknown-fields``;
    - ``x-kubernetes-int-or-string``: an integer or a string (KubeRay's CRDs also spell it
      as ``anyOf``; a schema may give the extension alone);
    - ``nullable``: null as well; ``format`` (int32, int64, quantity) by :data:`FORMATS`;
    - ``x-kubernetes-validations`` (CEL) is not evaluated here: :data:`K8sValidator`
      reports a manifest that reaches such a rule instead of passing it unseen.
    """
    s = dict(schema)
    if "properties" in s:
        s["properties"] = {name: structural(sub) for name, sub in s["properties"].items()}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(s.get(key), dict):
            s[key] = structural(s[key])
    for key in ("anyOf", "allOf", "oneOf"):
        if key in s:
            s[key] = [structural(sub) for sub in s[key]]
    if s.get("x-kubernetes-int-or-string"):
        s.pop("type", None)
        s["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if s.get("nullable") and "type" in s:
        s["type"] = [s["type"], "null"]
    if (s.get("type") == "object" and "properties" in s and "additionalProperties" not in s
            and not s.get("x-kubernetes-preserve-unknown-fields")):
        s["additionalProperties"] = False
    return s


@functools.cache
def crd(kind: str) -> dict:
    """The CRD of a KubeRay kind (RayCluster, RayJob, RayService)."""
    return yaml.load((CRDS / f"ray.io_{kind.lower()}s.yaml").read_text(), Loader=LOADER)


def crd_schema(kind: str, version: str = "v1") -> dict:
    (v,) = [v for v in crd(kind)["spec"]["versions"] if v["name"] == version]
    return v["schema"]["openAPIV3Schema"]


def at(schema: dict, *path: str) -> dict:
    """The sub-schema at ``path``: property names, ``[]`` for an array's items."""
    for name in path:
        schema = schema["items"] if name == "[]" else schema["properties"][name]
    return schema


def _quantity_pattern() -> str:
    """Kubernetes' resource.Quantity syntax, as KubeRay's CRDs spell it for a container's
    resource limits (all 306 quantities in the three CRDs carry this one regex)."""
    limits = at(crd_schema("RayCluster"), "spec", "headGroupSpec", "template", "spec",
                "containers", "[]", "resources", "limits")
    return limits["additionalProperties"]["pattern"]


FORMATS = jsonschema.FormatChecker(formats=())  # only Kubernetes' own formats, below
# date-time appears in status fields only, which manifests do not set: not checked.
FORMATS.checks("int32")(lambda v: not isinstance(v, int) or -(2**31) <= v < 2**31)
FORMATS.checks("int64")(lambda v: not isinstance(v, int) or -(2**63) <= v < 2**63)
FORMATS.checks("quantity")(
    lambda v: not isinstance(v, str) or re.search(_quantity_pattern(), v) is not None)


def _cel_not_evaluated(validator, rules, instance, schema):
    yield ValidationError("x-kubernetes-validations (CEL) not evaluated here: "
                          + "; ".join(r.get("message", r["rule"]) for r in rules))


# OpenAPI v3.0 schemas are JSON Schema draft 4 in their keywords (exclusiveMinimum a
# boolean, no const), hence draft 4.
K8sValidator = jsonschema.validators.extend(
    jsonschema.Draft4Validator, {"x-kubernetes-validations": _cel_not_evaluated})


def errors(schema: dict, doc) -> list[str]:
    """Every way ``doc`` breaks ``schema`` (a structural schema), each as 'path: message'."""
    found = K8sValidator(structural(schema), format_checker=FORMATS).iter_errors(doc)
    return sorted(f"{e.json_path}: {e.message}" for e in found)


# --- the built-in objects ----------------------------------------------------------------

def _int32(minimum=None):
    s = {"type": "integer", "format": "int32"}
    return s if minimum is None else {**s, "minimum": minimum}


def _object(properties: dict, required=()) -> dict:
    return {"type": "object", "properties": properties, **({"required": list(required)}
                                                          if required else {})}


def _top(api_version: str, kind: str, spec: dict) -> dict:
    return _object({"apiVersion": {"type": "string", "enum": [api_version]},
                    "kind": {"type": "string", "enum": [kind]},
                    "metadata": {**object_meta(), "required": ["name"]},
                    "spec": spec}, required=("apiVersion", "kind", "metadata", "spec"))


def object_meta() -> dict:
    """ObjectMeta as KubeRay's CRDs embed it (name, namespace, labels, annotations...)."""
    return at(crd_schema("RayService"), "spec", "serveService", "metadata")


@functools.cache
def builtin_schema(kind: str) -> dict:
    pod_template = at(crd_schema("RayCluster"), "spec", "headGroupSpec", "template")
    pod_spec = pod_template["properties"]["spec"]
    label_selector = at(pod_spec, "affinity", "podAffinity",
                        "requiredDuringSchedulingIgnoredDuringExecution", "[]",
                        "labelSelector")
    int_or_string = {"x-kubernetes-int-or-string": True}
    if kind == "Service":
        return _top("v1", "Service", at(crd_schema("RayService"), "spec", "serveService",
                                        "spec"))
    if kind == "PersistentVolumeClaim":
        return _top("v1", "PersistentVolumeClaim",
                    at(pod_spec, "volumes", "[]", "ephemeral", "volumeClaimTemplate", "spec"))
    if kind == "Deployment":  # apps/v1 DeploymentSpec
        rolling = _object({"maxSurge": int_or_string, "maxUnavailable": int_or_string})
        return _top("apps/v1", "Deployment", _object({
            "replicas": _int32(0), "minReadySeconds": _int32(0),
            "revisionHistoryLimit": _int32(0), "progressDeadlineSeconds": _int32(1),
            "paused": {"type": "boolean"},
            "strategy": _object({"type": {"type": "string",
                                          "enum": ["Recreate", "RollingUpdate"]},
                                 "rollingUpdate": rolling}),
            "selector": label_selector, "template": pod_template},
            required=("selector", "template")))
    if kind == "HorizontalPodAutoscaler":  # autoscaling/v2 HorizontalPodAutoscalerSpec
        target = _object({"type": {"type": "string",
                                   "enum": ["Utilization", "Value", "AverageValue"]},
                          "averageUtilization": _int32(1),
                          "value": int_or_string, "averageValue": int_or_string},
                         required=("type",))
        resource = _object({"name": {"type": "string"}, "target": target},
                           required=("name", "target"))
        metric = _object({"type": {"type": "string", "enum": ["Resource"]},
                          "resource": resource}, required=("type", "resource"))
        policy = _object({"type": {"type": "string", "enum": ["Pods", "Percent"]},
                          "value": _int32(1), "periodSeconds": _int32(1)},
                         required=("type", "value", "periodSeconds"))
        rules = _object({"stabilizationWindowSeconds": _int32(0),
                         "selectPolicy": {"type": "string", "enum": ["Max", "Min",
                                                                     "Disabled"]},
                         "policies": {"type": "array", "items": policy}})
        return _top("autoscaling/v2", "HorizontalPodAutoscaler", _object({
            "scaleTargetRef": _object({"apiVersion": {"type": "string"},
                                       "kind": {"type": "string"},
                                       "name": {"type": "string"}},
                                      required=("kind", "name")),
            "minReplicas": _int32(1), "maxReplicas": _int32(1),
            "metrics": {"type": "array", "items": metric},
            "behavior": _object({"scaleUp": rules, "scaleDown": rules})},
            required=("scaleTargetRef", "maxReplicas")))
    raise KeyError(kind)


def schema_for(doc: dict) -> dict:
    """The schema a manifest must satisfy: its CRD's served version, or a built-in one."""
    group, _, version = doc["apiVersion"].rpartition("/")
    if group == "ray.io":
        definition = crd(doc["kind"])["spec"]
        assert definition["names"]["kind"] == doc["kind"]
        served = {v["name"] for v in definition["versions"] if v["served"]}
        assert version in served, f"{doc['kind']} {version} is not served ({served})"
        schema = crd_schema(doc["kind"], version)
        # The CRD leaves metadata to the API server (`type: object`): ObjectMeta here, so a
        # misspelt metadata field is refused too. spec is required of our manifests.
        return {**schema, "required": ["apiVersion", "kind", "metadata", "spec"],
                "properties": {**schema["properties"],
                               "metadata": {**object_meta(), "required": ["name"]}}}
    return builtin_schema(doc["kind"])


# --- the manifests -----------------------------------------------------------------------

KUSTOMIZATION = yaml.safe_load((K8S / "kustomization.yaml").read_text())


@functools.cache
def _documents() -> tuple:
    return tuple((name, doc) for name in KUSTOMIZATION["resources"]
                 for doc in yaml.safe_load_all((K8S / name).read_text()) if doc)


def manifests() -> list[dict]:
    """Every object `kubectl apply -k deploy/k8s` applies (a fresh copy of each)."""
    return [copy.deepcopy(doc) for _, doc in _documents()]


def one(kind: str) -> dict:
    (doc,) = [d for d in manifests() if d["kind"] == kind]
    return doc


def containers(node):
    """Every container anywhere in a manifest (as kustomize's images transformer finds
    them: any list under a key ``containers`` or ``initContainers``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                yield from value
            else:
                yield from containers(value)
    elif isinstance(node, list):
        for value in node:
            yield from containers(value)


def ray_cluster_spec(doc: dict) -> dict:
    return doc["spec"]["rayClusterSpec" if doc["kind"] == "RayJob" else "rayClusterConfig"]


def pod_specs(cluster: dict) -> list[dict]:
    return [g["template"]["spec"] for g in [cluster["headGroupSpec"],
                                            *cluster["workerGroupSpecs"]]]


def test_crd_copies_are_the_published_files():
    """The copies are the files of ../shared/data/kuberay-crds, byte for byte: the hashes
    in deploy/kuberay-crds/README.md were taken from those."""
    table = dict(re.findall(r"^\| (ray\.io_\w+\.yaml) \| ([0-9a-f]{64}) \|$",
                            (CRDS / "README.md").read_text(), flags=re.M))
    assert set(table) == {p.name for p in CRDS.glob("*.yaml")} and len(table) == 3
    for name, digest in table.items():
        assert hashlib.sha256((CRDS / name).read_bytes()).hexdigest() == digest, name
    assert {crd(k)["spec"]["group"] for k in ("RayCluster", "RayJob", "RayService")} == {
        "ray.io"}


def test_kustomization_applies_every_manifest():
    listed = set(KUSTOMIZATION["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert {d["kind"] for d in manifests()} == {
        "RayJob", "RayService", "Deployment", "Service", "PersistentVolumeClaim",
        "HorizontalPodAutoscaler"}


@pytest.mark.parametrize("kind", ["RayJob", "RayService", "Deployment", "Service",
                                  "PersistentVolumeClaim", "HorizontalPodAutoscaler"])
def test_manifest_validates_against_its_schema(kind):
    doc = one(kind)
    assert errors(schema_for(doc), doc) == []
    assert "status" not in doc
    assert DNS1123_SUBDOMAIN.fullmatch(doc["metadata"]["name"])


def test_the_validator_refuses_broken_manifests():
    """Each fault is found, named by its path, and a valid manifest gives none: the
    validator is not one that passes everything."""
    job = one("RayJob")
    workers = job["spec"]["rayClusterSpec"]["workerGroupSpecs"][0]
    workers["minReplicas"] = "two"                       # an int32 as a string
    del workers["groupName"]                             # a required field missing
    workers["maxReplica"] = 16                           # a field the CRD does not declare
    workers["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "4 cores"
    job["spec"]["ttlSecondsAfterFinished"] = 2**31       # past int32
    job["spec"]["rayClusterSpec"]["managedBy"] = "ray.io/kuberay-operator"  # a CEL rule
    found = "\n".join(errors(schema_for(job), job))
    w = "$.spec.rayClusterSpec.workerGroupSpecs[0]"
    for expected in (f"{w}.minReplicas: 'two' is not of type 'integer'",
                     f"{w}: 'groupName' is a required property",
                     f"{w}: Additional properties are not allowed ('maxReplica'",
                     f"{w}.template.spec.containers[0].resources.limits.cpu: '4 cores' does "
                     f"not match",
                     "$.spec.ttlSecondsAfterFinished: 2147483648 is not a 'int32'",
                     "$.spec.rayClusterSpec.managedBy: x-kubernetes-validations (CEL) not "
                     "evaluated here"):
        assert expected in found, found
    assert len(found.splitlines()) == 6, found

    deployment = one("Deployment")
    del deployment["spec"]["selector"]
    deployment["spec"]["replicas"] = "3"
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"][
        "path"] = 1
    assert set(errors(schema_for(deployment), deployment)) == {
        "$.spec: 'selector' is a required property",
        "$.spec.replicas: '3' is not of type 'integer'",
        "$.spec.template.spec.containers[0].readinessProbe.httpGet.path: 1 is not of type "
        "'string'"}
    hpa = one("HorizontalPodAutoscaler")
    hpa["spec"]["maxReplicas"] = "4"
    hpa["spec"]["metrics"][0]["resource"]["target"]["type"] = "Percent"
    hpa["spec"]["minReplica"] = 1
    del hpa["spec"]["scaleTargetRef"]["name"]
    assert errors(schema_for(hpa), hpa) == [
        "$.spec.maxReplicas: '4' is not of type 'integer'",
        "$.spec.metrics[0].resource.target.type: 'Percent' is not one of ['Utilization', "
        "'Value', 'AverageValue']",
        "$.spec.scaleTargetRef: 'name' is a required property",
        "$.spec: Additional properties are not allowed ('minReplica' was unexpected)"]
    claim = one("PersistentVolumeClaim")
    claim["spec"]["resources"]["requests"]["storage"] = "lots"
    (found,) = errors(schema_for(claim), claim)
    assert found.startswith("$.spec.resources.requests.storage: 'lots' "), found


def test_structural_schema_extensions():
    """The Kubernetes extensions read as the API server reads them."""
    schema = {"type": "object", "properties": {
        "port": {"x-kubernetes-int-or-string": True},
        "size": {"x-kubernetes-int-or-string": True, "format": "quantity"},
        "count": {"type": "integer", "format": "int32"},
        "big": {"type": "integer", "format": "int64"},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                 "properties": {"known": {"type": "string"}}},
        "when": {"type": "string", "nullable": True},
        "ruled": {"type": "string", "x-kubernetes-validations": [{"rule": "self != ''"}]}}}
    ok = {"port": 8000, "size": "512Mi", "count": 2**31 - 1, "big": 2**40,
          "free": {"known": "a", "anything": {"else": 1}}, "when": None}
    assert errors(schema, ok) == []
    assert errors(schema, {**ok, "port": "http", "size": 3}) == []
    bad = {"port": 1.5, "size": "1 GB", "count": 2**31, "big": 2**63, "other": 1,
           "free": {"known": 1}, "when": 3, "ruled": "x"}
    assert [e.split(":")[0] for e in errors(schema, bad)] == [
        "$.big", "$.count", "$.free.known", "$.port", "$.ruled", "$.size", "$.when", "$"]
    assert errors(schema, {"port": True}) == [  # a boolean is no integer, as in Go
        "$.port: True is not valid under any of the given schemas"]


def test_rayjob_runs_the_standard_sweep_on_an_autoscaled_cluster_that_goes_away():
    job = one("RayJob")
    spec = job["spec"]
    assert spec["shutdownAfterJobFinishes"] is True and spec["ttlSecondsAfterFinished"] > 0
    script, *overrides = shlex.split(spec["entrypoint"])
    assert script == "twin-run"
    settings = dict(o.split("=", 1) for o in overrides)
    assert settings["runner"] == "ray" and settings["runner.address"] == "auto"
    assert settings["sweep"] == "standard"
    conf = REPO / "conf"
    config = yaml.safe_load((conf / "config.yaml").read_text())
    for key, value in settings.items():  # each override names something conf/ has
        head, _, rest = key.partition(".")
        if key == "hydra.run.dir":
            continue
        if (conf / head).is_dir() and not rest:
            assert (conf / head / f"{value}.yaml").is_file(), key
        elif (conf / head).is_dir():
            option = yaml.safe_load((conf / head / f"{settings[head]}.yaml").read_text())
            assert rest in option, key
        else:
            assert key in config, key
    # the cube lands on the claim the head mounts (the driver writes the store there)
    cluster = spec["rayClusterSpec"]
    head = cluster["headGroupSpec"]["template"]["spec"]
    claim = one("PersistentVolumeClaim")["metadata"]["name"]
    (volume,) = [v["name"] for v in head["volumes"]
                 if v.get("persistentVolumeClaim", {}).get("claimName") == claim]
    (mount,) = [m["mountPath"] for m in head["containers"][0]["volumeMounts"]
                if m["name"] == volume]
    assert Path(settings["hydra.run.dir"]).is_relative_to(mount)
    assert cluster["enableInTreeAutoscaling"] is True


@pytest.mark.parametrize("kind", ["RayJob", "RayService"])
def test_ray_clusters_have_bounded_pods_and_autoscale(kind):
    cluster = ray_cluster_spec(one(kind))
    # the sweep's workers autoscale, and so do the service's (Serve's replicas)
    assert cluster["enableInTreeAutoscaling"] is True
    assert cluster["authOptions"]["mode"] == "token"
    for group in cluster["workerGroupSpecs"]:
        assert group["minReplicas"] <= group.get("replicas", 0) <= group["maxReplicas"]
        assert group["maxReplicas"] > group["minReplicas"]
    for pod in pod_specs(cluster):
        assert pod["securityContext"]["runAsNonRoot"] is True
        for c in pod["containers"]:
            # Ray sizes a node from its limits; equal requests keep the pod Guaranteed
            assert c["resources"]["requests"] == c["resources"]["limits"], c["name"]
            assert {"cpu", "memory"} <= set(c["resources"]["limits"]), c["name"]
            # KubeRay writes the command (`ray start ...`) of Ray containers itself
            assert "command" not in c and "args" not in c, c["name"]


def _class_fields(path: Path, *names: str) -> set[str]:
    """The annotated fields of classes in a source file (Ray's pydantic models)."""
    tree = ast.parse(path.read_text())
    return {node.target.id for cls in tree.body if isinstance(cls, ast.ClassDef)
            and cls.name in names for node in cls.body
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)}


def test_rayservice_autoscales_the_twin_app_as_ray_app_declares():
    service = one("RayService")
    config = yaml.safe_load(service["spec"]["serveConfigV2"])
    (app,) = config["applications"]
    assert app["import_path"] == "twin.serve.ray_app:app"
    (deployment,) = app["deployments"]
    # Serve autoscales the replicas (Serve refuses num_replicas beside autoscaling_config)
    auto = deployment["autoscaling_config"]
    assert "num_replicas" not in deployment
    assert 1 <= auto["min_replicas"] < auto["max_replicas"]
    # Every key is one Ray Serve's config schema declares (its models forbid others); read
    # from the installed Ray's source, since ray.serve needs the serve extra to import.
    serve = Path(importlib.util.find_spec("ray").submodule_search_locations[0]) / "serve"
    schema = serve / "schema.py"
    assert set(config) <= _class_fields(schema, "ServeDeploySchema")
    assert set(config["http_options"]) <= _class_fields(schema, "HTTPOptionsSchema")
    assert set(app) <= _class_fields(schema, "ServeApplicationSchema")
    assert set(deployment) <= _class_fields(schema, "DeploymentSchema")
    assert set(deployment["ray_actor_options"]) <= _class_fields(schema,
                                                                 "RayActorOptionsSchema")
    assert set(auto) <= _class_fields(serve / "config.py", "AutoscalingConfig")
    # The deployment's name is the class ray_app decorates (Serve refuses another name),
    # and its replica count is ray_app's.
    tree = ast.parse((REPO / "twin" / "serve" / "ray_app.py").read_text())
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and any(
        "deployment" in ast.unparse(d) for d in n.decorator_list)]
    assert deployment["name"] == cls.name
    (declared,) = [ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                   and [t.id for t in n.targets] == ["AUTOSCALING"]]
    assert auto == declared  # ray_app's decorator: autoscaling_config=AUTOSCALING
    assert "autoscaling_config=AUTOSCALING" in ast.unparse(cls.decorator_list[0])
    # the worker pods at their most hold the most replicas, each with its CPUs
    (workers,) = ray_cluster_spec(service)["workerGroupSpecs"]
    pod_cpus = int(workers["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"])
    per_replica = deployment["ray_actor_options"]["num_cpus"]
    assert workers["maxReplicas"] * (pod_cpus // per_replica) >= auto["max_replicas"]
    assert workers["minReplicas"] * (pod_cpus // per_replica) >= auto["min_replicas"]
    head = ray_cluster_spec(service)["headGroupSpec"]["template"]["spec"]["containers"][0]
    ports = {p["containerPort"] for p in head["ports"]}
    assert config["http_options"]["port"] in ports


def _secrets_of(pod: dict) -> None:
    """The service's database URL from a Secret (never a literal), its token file in a
    read-only Secret volume."""
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for c in pod["containers"]:
        env = {e["name"]: e for e in c["env"]}
        assert env["TWIN_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
            "name": "twin-serve-db", "key": "url"}
        (mount,) = [m for m in c["volumeMounts"]
                    if volumes[m["name"]].get("secret", {}).get("secretName")
                    == "twin-serve-token"]
        assert mount["readOnly"] is True
        items = volumes[mount["name"]]["secret"]["items"]
        assert env["TWIN_TOKEN_FILE"]["value"] in {f"{mount['mountPath']}/{i['path']}"
                                                   for i in items}


def test_both_serve_paths_read_the_database_url_and_token_from_secrets():
    for pod in pod_specs(ray_cluster_spec(one("RayService"))):
        _secrets_of(pod)
    _secrets_of(one("Deployment")["spec"]["template"]["spec"])


def test_plain_deployment_and_service_fit_together():
    deployment, service = (one(k) for k in ("Deployment", "Service"))
    template = deployment["spec"]["template"]
    labels = template["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["selector"].items() <= labels.items()
    (c,) = template["spec"]["containers"]
    assert c["command"][:2] == ["twin-serve", "host=0.0.0.0"]
    # the overrides are keys of conf/serve.yaml, and the run directory is writable scratch
    from twin.serve.config import load_config

    cfg = load_config(*c["command"][1:])
    assert cfg.host == "0.0.0.0" and cfg.run_dir.startswith(
        {m["name"]: m["mountPath"] for m in c["volumeMounts"]}["tmp"])
    port_names = {p["name"] for p in c["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= port_names
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"]["path"] == "/healthz", probe
        assert c[probe]["httpGet"]["port"] in port_names, probe
    # Several replicas (the service allows them: tests/test_serve_scale.py), set by the
    # HorizontalPodAutoscaler alone, and a rollout that never drops below the count
    assert "replicas" not in deployment["spec"]
    strategy = deployment["spec"]["strategy"]
    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0
    hpa = one("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": deployment["apiVersion"],
                                             "kind": "Deployment",
                                             "name": deployment["metadata"]["name"]}
    assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    (metric,) = hpa["spec"]["metrics"]
    # a utilization target is a share of the request: the container must request CPU
    assert metric["resource"]["name"] == "cpu" and "cpu" in c["resources"]["requests"]


def test_commands_name_the_projects_console_scripts():
    named = [shlex.split(one("RayJob")["spec"]["entrypoint"])[0]]
    for doc in manifests():
        for c in containers(doc):
            named += [w for w in c.get("command", []) + c.get("args", [])
                      if w.startswith("twin-")]
    assert named and set(named) <= SCRIPTS, set(named) - SCRIPTS


# --- the image -------------------------------------------------------------------------

def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", "\n".join(
        line for line in (REPO / "Dockerfile").read_text().splitlines()
        if not line.lstrip().startswith("#")))
    return [(w.upper(), rest.strip()) for w, _, rest in
            (line.strip().partition(" ") for line in text.splitlines() if line.strip())]


def docker_args() -> dict[str, str]:
    return dict(a.split("=", 1) for i, a in dockerfile() if i == "ARG" and "=" in a)


def docker_labels() -> dict[str, str]:
    labels = {}
    for instruction, rest in dockerfile():
        if instruction == "LABEL":
            labels |= dict(w.split("=", 1) for w in shlex.split(rest))
    return labels


def test_images_are_named_once_with_the_projects_version():
    (image,) = KUSTOMIZATION["images"]
    named = {c["image"] for doc in manifests() for c in containers(doc)}
    assert named == {image["name"]}  # no tag, no registry: kustomize sets both
    version = PYPROJECT["project"]["version"]
    assert image["newTag"] == version
    assert docker_labels()["org.opencontainers.image.version"] == version


def test_rays_version_is_the_images():
    pin = docker_args()["RAY_VERSION"]
    for kind in ("RayJob", "RayService"):
        assert ray_cluster_spec(one(kind))["rayVersion"] == pin, kind
    (ray,) = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]
              if Requirement(r).name == "ray"]
    assert ray.specifier.contains(pin)


def test_dockerfile_installs_the_project_from_its_own_files():
    steps = dockerfile()
    assert steps[0] == ("FROM", "python:3.11-slim")
    copied = {src for i, rest in steps if i == "COPY" for src in rest.split()[:-1]}
    packages = {p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]
                ["include"]}
    # pyproject's readme is read by the build; conf/ is where twin.apps.config.CONF_DIR
    # looks (../../conf from its own file), so the install is editable, beside it.
    needed = {"pyproject.toml", PYPROJECT["project"]["readme"], "conf"} | packages
    assert needed <= {s.rstrip("/").removeprefix("./") for s in copied}
    runs = " ".join(rest for i, rest in steps if i == "RUN")
    assert 'pip install -e ".[serve,serve-ray]"' in runs
    # nothing fetched from elsewhere: no clone, no download, no install from a URL
    assert not re.search(r"git clone|(curl|wget) [^&;|]*://|pip install [^&;|]*(git\+|://)",
                         runs)
    assert not any(i == "ADD" for i, _ in steps)
    (user,) = [rest for i, rest in steps if i == "USER"]
    assert user.split(":")[0] not in {"0", "root"}
    assert [i for i, _ in steps].index("USER") > [i for i, _ in steps].index("RUN")
    labels = docker_labels()
    for key in ("title", "description", "version", "licenses"):
        assert labels[f"org.opencontainers.image.{key}"], key
    assert labels["org.opencontainers.image.licenses"] == PYPROJECT["project"]["license"][
        "text"]
    # nothing the Dockerfile copies is kept out of the build context
    ignored = [p for p in (REPO / ".dockerignore").read_text().splitlines()
               if p and not p.startswith("#")]
    for src in needed:
        assert not any(fnmatch.fnmatch(src, p.removeprefix("**/")) for p in ignored), src


def test_dockerignore_keeps_out_everything_git_ignores():
    ignored = {p for p in (REPO / ".dockerignore").read_text().splitlines()
               if p and not p.startswith("#")}
    assert ".git" in ignored
    for entry in (REPO / ".gitignore").read_text().split():
        name = entry.strip("/")
        # a .gitignore pattern without an inner slash matches at any depth; .dockerignore
        # patterns are anchored at the context's root, hence **/
        assert (name if "/" in name else f"**/{name}") in ignored, entry
