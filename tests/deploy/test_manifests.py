"""Static checks of the deployment artefacts under deploy/.

No container engine, cluster or network is needed: the Kubernetes objects are
validated against the OpenAPI schemas that kubernetes-validate ships, and the
rest (KEDA, Compose, Dockerfile) against the rules of sitrep's runtime
contract. Each rule checker returns a list of problems so that the tests can
also feed it a broken copy and prove the rule bites.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

K8S_VERSION = "1.30"
SUBCOMMANDS = frozenset({"api", "worker", "notifier", "dispatcher", "feeds"})
DEFAULT_JOB_TIMEOUT_SECONDS = 180
QUEUE_LIST = "rq:queue:sitrep"
API_PORT = 8000
HEALTH_PATH = "/healthz"
LIVE_PATH = "/livez"
# Kinds that kubernetes-validate has schemas for; anything else is custom.
CORE_API_GROUPS = ("v1", "apps/v1", "policy/v1", "batch/v1", "autoscaling/v2")

Doc = dict[str, Any]


# ----------------------------------------------------------------- loading --


def load_yaml_docs(path: Path) -> list[Doc]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def k8s_manifest_files() -> list[Path]:
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def load_k8s() -> list[Doc]:
    return [doc for path in k8s_manifest_files() for doc in load_yaml_docs(path)]


def load_compose() -> Doc:
    docs = load_yaml_docs(COMPOSE_FILE)
    assert len(docs) == 1, "compose.yaml must hold exactly one document"
    return docs[0]


def load_kustomization() -> Doc:
    (doc,) = load_yaml_docs(K8S / "kustomization.yaml")
    return doc


def all_yaml_files() -> list[Path]:
    return sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])


def objects(docs: Iterable[Doc], kind: str) -> list[Doc]:
    return [doc for doc in docs if doc.get("kind") == kind]


def find_object(docs: Iterable[Doc], kind: str, name: str) -> Doc | None:
    for doc in objects(docs, kind):
        if doc["metadata"]["name"] == name:
            return doc
    return None


def workloads(docs: Iterable[Doc]) -> list[Doc]:
    return [doc for doc in docs if doc.get("kind") in ("Deployment", "StatefulSet")]


def config_data(docs: Iterable[Doc]) -> dict[str, str]:
    data: dict[str, str] = {}
    for cm in objects(docs, "ConfigMap"):
        data.update(cm.get("data", {}))
    return data


def image_repo(image: str) -> str:
    """Last path element of an image reference, without tag or digest."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.split(":", 1)[0]


def sitrep_containers(docs: Iterable[Doc]) -> list[tuple[Doc, Doc]]:
    """(workload, container) for every container running the sitrep image."""
    return [
        (wl, c)
        for wl in workloads(docs)
        for c in wl["spec"]["template"]["spec"]["containers"]
        if image_repo(c["image"]) == "sitrep"
    ]


def container_env(docs: Iterable[Doc], container: Doc) -> dict[str, str]:
    """Env a container sees from envFrom ConfigMaps and literal/ConfigMap-key env entries."""
    docs = list(docs)
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref:
            cm = find_object(docs, "ConfigMap", ref["name"])
            assert cm is not None, f"envFrom names missing ConfigMap {ref['name']}"
            env.update(cm.get("data", {}))
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        key_ref = item.get("valueFrom", {}).get("configMapKeyRef")
        if key_ref:
            cm = find_object(docs, "ConfigMap", key_ref["name"])
            assert cm is not None, f"env {item['name']} names missing ConfigMap {key_ref['name']}"
            assert key_ref["key"] in cm.get("data", {}), f"ConfigMap {key_ref['name']} lacks key {key_ref['key']}"
            env[item["name"]] = cm["data"][key_ref["key"]]
    return env


def job_timeout(env: dict[str, str]) -> int:
    return int(env.get("SITREP_JOB_TIMEOUT_SECONDS", DEFAULT_JOB_TIMEOUT_SECONDS))


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")
_DURATION_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def compose_duration_seconds(value: str | int | float) -> float:
    """Seconds in a Compose duration such as "200s", "3m20s" or "1h"."""
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a Compose duration: {value!r}")
    return sum(float(n) * _DURATION_UNITS[u] for n, u in parts)


_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1024,
    "m": 1000**2,
    "mb": 1024**2,
    "g": 1000**3,
    "gb": 1024**3,
    "ki": 1024,
    "mi": 1024**2,
    "gi": 1024**3,
}


def memory_bytes(text: str) -> int:
    """A Redis (`600mb`), Compose (`1g`) or Kubernetes (`1Gi`) memory size in bytes."""
    match = re.fullmatch(r"(\d+)\s*([a-zA-Z]*)", text.strip())
    assert match, f"not a memory size: {text!r}"
    unit = match.group(2).lower()
    if unit in ("k", "m", "g") and text.strip()[-1].islower():  # Compose's 1g is binary, Kubernetes' 1G decimal
        unit += "b"
    return int(match.group(1)) * _UNITS[unit]


def as_argv(command: str | list[Any] | None) -> list[str]:
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command]


# ------------------------------------------------------------ YAML parsing --


@pytest.mark.parametrize("path", all_yaml_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_yaml_file_parses_into_mappings(path: Path) -> None:
    docs = load_yaml_docs(path)
    assert docs, f"{path} holds no YAML document"
    for doc in docs:
        assert isinstance(doc, dict), f"{path}: every document must be a mapping"


def test_expected_artefacts_exist() -> None:
    for path in (DOCKERFILE, COMPOSE_FILE, DOCKERIGNORE, K8S / "kustomization.yaml"):
        assert path.is_file(), f"missing {path.relative_to(ROOT)}"
    assert len(k8s_manifest_files()) >= 5


# -------------------------------------------------------- Kubernetes schema --


def core_k8s_docs() -> list[Doc]:
    return [doc for doc in load_k8s() if doc.get("apiVersion") in CORE_API_GROUPS]


@pytest.mark.parametrize("doc", core_k8s_docs(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_core_object_matches_kubernetes_openapi_schema(doc: Doc) -> None:
    # strict: unknown fields (typos) are errors, as `kubectl apply` would warn.
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_every_k8s_object_is_core_or_keda() -> None:
    for doc in load_k8s():
        api = doc.get("apiVersion")
        assert api in CORE_API_GROUPS or api == "keda.sh/v1alpha1", f"unexpected apiVersion {api} on {doc.get('kind')}"


def test_schema_validation_rejects_a_misspelt_field() -> None:
    (deployment,) = [d for d in objects(load_k8s(), "Deployment") if d["metadata"]["name"] == "sitrep-worker"]
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["terminationGracePeriodSecond"] = 210
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = "210"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


# -------------------------------------------------- Kubernetes consistency --


def test_kustomization_lists_every_manifest_and_sets_namespace() -> None:
    kust = load_kustomization()
    assert kust["kind"] == "Kustomization"
    listed = kust["resources"]
    assert len(listed) == len(set(listed)), "duplicate entry in kustomization resources"
    assert sorted(listed) == sorted(p.name for p in k8s_manifest_files())
    namespace = kust["namespace"]
    assert find_object(load_k8s(), "Namespace", namespace) is not None
    for doc in load_k8s():
        assert doc["metadata"].get("namespace", namespace) == namespace, f"{doc['kind']} pins another namespace"


def test_object_names_are_unique_per_kind() -> None:
    seen: set[tuple[str, str]] = set()
    for doc in load_k8s():
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in seen, f"duplicate {key}"
        seen.add(key)


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def test_selectors_match_pod_template_labels() -> None:
    docs = load_k8s()
    templates = {wl["metadata"]["name"]: wl["spec"]["template"]["metadata"]["labels"] for wl in workloads(docs)}
    for wl in workloads(docs):
        name = wl["metadata"]["name"]
        assert selects(wl["spec"]["selector"]["matchLabels"], templates[name]), f"{name} selects not its own pods"
    for svc in objects(docs, "Service"):
        hits = [n for n, labels in templates.items() if selects(svc["spec"]["selector"], labels)]
        assert len(hits) == 1, f"Service {svc['metadata']['name']} selects {hits}"
    for pdb in objects(docs, "PodDisruptionBudget"):
        hits = [n for n, labels in templates.items() if selects(pdb["spec"]["selector"]["matchLabels"], labels)]
        assert len(hits) == 1, f"PDB {pdb['metadata']['name']} selects {hits}"


def test_service_target_ports_exist_on_selected_containers() -> None:
    docs = load_k8s()
    for svc in objects(docs, "Service"):
        (wl,) = [
            w for w in workloads(docs) if selects(svc["spec"]["selector"], w["spec"]["template"]["metadata"]["labels"])
        ]
        ports = [p for c in wl["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])]
        names = {p.get("name") for p in ports}
        numbers = {p["containerPort"] for p in ports}
        for port in svc["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            assert target in names or target in numbers, (
                f"Service {svc['metadata']['name']}: no container port {target}"
            )


def test_statefulset_governing_service_is_headless() -> None:
    docs = load_k8s()
    for sts in objects(docs, "StatefulSet"):
        svc = find_object(docs, "Service", sts["spec"]["serviceName"])
        assert svc is not None and svc["spec"].get("clusterIP") == "None"


def test_pods_run_as_non_root_with_resources() -> None:
    docs = load_k8s()
    assert workloads(docs)
    for wl in workloads(docs):
        name = wl["metadata"]["name"]
        pod = wl["spec"]["template"]["spec"]
        pod_sc = pod.get("securityContext", {})
        assert pod_sc.get("runAsNonRoot") is True, f"{name}: runAsNonRoot"
        assert pod_sc.get("runAsUser", 1) != 0, f"{name}: runs as uid 0"
        assert pod.get("automountServiceAccountToken") is False, f"{name}: mounts an API token it does not need"
        for c in pod["containers"]:
            sc = c.get("securityContext", {})
            assert sc.get("allowPrivilegeEscalation") is False, f"{name}/{c['name']}"
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], f"{name}/{c['name']}"
            assert sc.get("runAsUser", 1) != 0, f"{name}/{c['name']}"
            res = c.get("resources", {})
            for key in ("cpu", "memory"):
                assert key in res.get("requests", {}), f"{name}/{c['name']}: no {key} request"
            assert "memory" in res.get("limits", {}), f"{name}/{c['name']}: no memory limit"


def test_sitrep_containers_use_the_image_entrypoint() -> None:
    containers = sitrep_containers(load_k8s())
    assert {wl["metadata"]["name"] for wl, _ in containers} == {
        "sitrep-api",
        "sitrep-worker",
        "sitrep-webhook-worker",
        "sitrep-notifier",
        "sitrep-dispatcher",
        "sitrep-feed-poller",
    }
    for wl, c in containers:
        # `command` would replace ENTRYPOINT ["sitrep"]; only args may be set, unless it is sitrep itself.
        assert c.get("command") in (None, ["sitrep"]), f"{wl['metadata']['name']} overrides the entry point"
        assert "REDIS_URL" in container_env(load_k8s(), c), f"{wl['metadata']['name']} gets no REDIS_URL"


def http_probe_problems(docs: list[Doc], workload: str) -> list[str]:
    """Readiness must GET /healthz (Redis answers) and liveness /livez (the process answers, whatever Redis
    does: a Redis outage must not restart every pod), on a port the container really listens on."""
    wl = find_object(docs, "Deployment", workload)
    if wl is None:
        return [f"no Deployment {workload}"]
    problems: list[str] = []
    for c in wl["spec"]["template"]["spec"]["containers"]:
        ports = c.get("ports", [])
        by_name = {p["name"]: p["containerPort"] for p in ports if "name" in p}
        numbers = {p["containerPort"] for p in ports}
        argv = as_argv(c.get("args"))
        listen = int(argv[argv.index("--port") + 1]) if "--port" in argv else None
        for kind, path in (("readinessProbe", HEALTH_PATH), ("livenessProbe", LIVE_PATH)):
            get = c.get(kind, {}).get("httpGet")
            if not get:
                problems.append(f"{c['name']}: {kind} is not an httpGet probe")
                continue
            if get.get("path") != path:
                problems.append(f"{c['name']}: {kind} path {get.get('path')!r} is not {path}")
            port = get.get("port")
            number = by_name.get(port) if isinstance(port, str) else port
            if number not in numbers:
                problems.append(f"{c['name']}: {kind} port {port!r} is not a container port")
            elif listen is not None and number != listen:
                problems.append(f"{c['name']}: {kind} port {number} but the process listens on {listen}")
    return problems


def test_api_probes_hit_healthz_and_livez_on_the_container_port() -> None:
    assert http_probe_problems(load_k8s(), "sitrep-api") == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c["readinessProbe"]["httpGet"].update(path="/health"), "path"),
        (lambda c: c["livenessProbe"]["httpGet"].update(port="metrics"), "not a container port"),
        (lambda c: c["livenessProbe"]["httpGet"].update(port=8080), "not a container port"),
        (lambda c: c.update(args=["api", "--port", "9000"]), "listens on 9000"),
        (lambda c: c.pop("readinessProbe"), "readinessProbe"),
        (lambda c: c["livenessProbe"]["httpGet"].update(path="/healthz"), "livenessProbe path '/healthz'"),
    ],
)
def test_probe_check_catches_mistakes(mutate: Callable[[Doc], object], expected: str) -> None:
    docs = copy.deepcopy(load_k8s())
    api = find_object(docs, "Deployment", "sitrep-api")
    assert api is not None
    mutate(api["spec"]["template"]["spec"]["containers"][0])
    problems = http_probe_problems(docs, "sitrep-api")
    assert any(expected in p for p in problems), problems


def test_api_service_and_metrics_port() -> None:
    docs = load_k8s()
    svc = find_object(docs, "Service", "sitrep-api")
    assert svc is not None
    api = find_object(docs, "Deployment", "sitrep-api")
    assert api is not None
    annotations = api["spec"]["template"]["metadata"].get("annotations", {})
    assert annotations.get("prometheus.io/path") == "/metrics"
    assert annotations.get("prometheus.io/port") == str(API_PORT)


def test_worker_grace_period_covers_job_timeout() -> None:
    docs = load_k8s()
    worker = find_object(docs, "Deployment", "sitrep-worker")
    assert worker is not None
    pod = worker["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    timeout = job_timeout(container_env(docs, container))
    assert pod["terminationGracePeriodSeconds"] > timeout
    # KEDA owns the replica count; a fixed value would fight the autoscaler on every apply.
    assert "replicas" not in worker["spec"]


def test_redis_url_points_at_the_redis_service() -> None:
    docs = load_k8s()
    for wl, c in sitrep_containers(docs):
        url = urlsplit(container_env(docs, c)["REDIS_URL"])
        assert url.scheme == "redis", wl["metadata"]["name"]
        svc = find_object(docs, "Service", url.hostname or "")
        assert svc is not None, f"REDIS_URL host {url.hostname} is no Service"
        assert url.port in {p["port"] for p in svc["spec"]["ports"]}
        assert svc["spec"].get("clusterIP") != "None"


def _secret_env(container: Doc) -> dict[str, tuple[str, str]]:
    """Each env entry of a container taken from a Secret: name -> (secret, key)."""
    found = {}
    for item in container.get("env", []):
        ref = item.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            found[item["name"]] = (ref["name"], ref["key"])
    return found


def test_redis_wants_the_password_of_one_secret_and_every_client_sends_it() -> None:
    docs = load_k8s()
    (sts,) = objects(docs, "StatefulSet")
    (redis,) = sts["spec"]["template"]["spec"]["containers"]
    argv = as_argv(redis.get("command")) + as_argv(redis.get("args"))
    assert argv[argv.index("--requirepass") + 1] == "$(REDIS_PASSWORD)"
    assert _secret_env(redis)["REDIS_PASSWORD"] == _secret_env(redis)["REDISCLI_AUTH"] == ("sitrep-redis", "password")
    assert "REDIS_URL" not in config_data(docs), "a REDIS_URL in the ConfigMap would carry no password"
    for wl, c in sitrep_containers(docs):
        names = [item["name"] for item in c.get("env", [])]
        assert _secret_env(c).get("REDIS_PASSWORD") == ("sitrep-redis", "password"), wl["metadata"]["name"]
        # $(VAR) is expanded only from variables defined before it in the list.
        assert names.index("REDIS_PASSWORD") < names.index("REDIS_URL")
        assert urlsplit(container_env(docs, c)["REDIS_URL"]).password == "$(REDIS_PASSWORD)"
    meta = _scaled_object(docs)["spec"]["triggers"][0]["metadata"]
    assert meta["passwordFromEnv"] == "REDIS_PASSWORD"


def test_compose_redis_wants_a_password_every_service_sends() -> None:
    compose = load_compose()
    services = compose["services"]
    argv = as_argv(services["redis"]["command"])
    password = argv[argv.index("--requirepass") + 1]
    assert password.startswith("${SITREP_REDIS_PASSWORD:?")  # no default: compose refuses to start without one
    assert env_map(services["redis"].get("environment"))["REDISCLI_AUTH"].startswith("${SITREP_REDIS_PASSWORD")
    for name, svc in services.items():
        if name != "redis":
            url = env_map(svc.get("environment"))["REDIS_URL"]
            assert url.startswith("redis://:${SITREP_REDIS_PASSWORD:?") and url.endswith("@redis:6379/0"), name


def test_redis_statefulset_persists_with_aof() -> None:
    docs = load_k8s()
    (sts,) = objects(docs, "StatefulSet")
    (redis,) = sts["spec"]["template"]["spec"]["containers"]
    argv = as_argv(redis.get("command")) + as_argv(redis.get("args"))
    assert argv[argv.index("--appendonly") + 1] == "yes"
    assert argv[argv.index("--appendfsync") + 1] == "everysec"
    assert argv[argv.index("--maxmemory-policy") + 1] == "noeviction"
    limit = memory_bytes(redis["resources"]["limits"]["memory"])
    maxmemory = memory_bytes(argv[argv.index("--maxmemory") + 1])
    assert 0 < maxmemory <= 0.7 * limit, "maxmemory must leave the pod room for the AOF rewrite's fork and buffers"
    data_dir = argv[argv.index("--dir") + 1]
    claims = {t["metadata"]["name"] for t in sts["spec"].get("volumeClaimTemplates", [])}
    mounts = {m["mountPath"]: m["name"] for m in redis.get("volumeMounts", [])}
    assert mounts.get(data_dir) in claims, "Redis data directory is not on a PersistentVolumeClaim"


# --------------------------------------------------------------------- KEDA --


def keda_problems(docs: list[Doc]) -> list[str]:
    problems: list[str] = []
    scaled = [d for d in docs if d.get("kind") == "ScaledObject"]
    if len(scaled) != 1:
        return [f"expected one ScaledObject, found {len(scaled)}"]
    (so,) = scaled
    if so.get("apiVersion") != "keda.sh/v1alpha1":
        problems.append(f"apiVersion {so.get('apiVersion')!r}")
    if not so.get("metadata", {}).get("name"):
        problems.append("ScaledObject has no name")
    spec = so.get("spec", {})
    target_ref = spec.get("scaleTargetRef", {})
    if target_ref.get("kind", "Deployment") != "Deployment" or target_ref.get("apiVersion", "apps/v1") != "apps/v1":
        problems.append("scaleTargetRef must be an apps/v1 Deployment")
    target = find_object(docs, "Deployment", target_ref.get("name", ""))
    if target is None:
        problems.append(f"scaleTargetRef names no Deployment here: {target_ref.get('name')!r}")
    elif not any(as_argv(c.get("args"))[:1] == ["worker"] for _, c in sitrep_containers([target])):
        problems.append("scaleTargetRef is not the sitrep worker")
    low, high = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
    if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high and high >= 1):
        problems.append(f"bad replica bounds {low}..{high}")
    redis_triggers = [t for t in spec.get("triggers", []) if t.get("type") == "redis"]
    if len(redis_triggers) != 1:
        return [*problems, f"expected one redis trigger, found {len(redis_triggers)}"]
    meta = redis_triggers[0].get("metadata", {})
    # KEDA trigger metadata is map[string]string: a bare YAML number is rejected.
    for key, value in meta.items():
        if not isinstance(value, str):
            problems.append(f"trigger metadata {key} must be a string, got {type(value).__name__}")
    if meta.get("listName") != QUEUE_LIST:
        problems.append(f"listName {meta.get('listName')!r} is not {QUEUE_LIST}")
    if not re.fullmatch(r"[1-9]\d*", str(meta.get("listLength", ""))):
        problems.append(f"listLength {meta.get('listLength')!r} is not a positive integer")
    if "address" not in meta and "addressFromEnv" not in meta and not {"host", "port"} <= meta.keys():
        problems.append("trigger has no Redis address")
    if "addressFromEnv" in meta and target is not None:
        envs = [container_env(docs, c) for c in target["spec"]["template"]["spec"]["containers"]]
        if not any(meta["addressFromEnv"] in env for env in envs):
            problems.append(f"addressFromEnv {meta['addressFromEnv']} is not set on the target's containers")
    return problems


def test_keda_scaled_object_is_sound() -> None:
    assert keda_problems(load_k8s()) == []


def _scaled_object(docs: list[Doc]) -> Doc:
    (so,) = objects(docs, "ScaledObject")
    return so


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda so: so["spec"]["scaleTargetRef"].update(name="sitrep-wrker"), "names no Deployment"),
        (lambda so: so["spec"]["scaleTargetRef"].update(name="sitrep-api"), "not the sitrep worker"),
        (lambda so: so["spec"]["triggers"][0]["metadata"].update(listName="sitrep"), "listName"),
        (lambda so: so["spec"]["triggers"][0]["metadata"].update(listLength=10), "must be a string"),
        (lambda so: so["spec"]["triggers"][0]["metadata"].update(addressFromEnv="NOPE"), "addressFromEnv"),
        (lambda so: so["spec"]["triggers"][0].update(type="redis-streams"), "one redis trigger"),
        (lambda so: so.update(apiVersion="keda.k8s.io/v1alpha1"), "apiVersion"),
        (lambda so: so["spec"].update(minReplicaCount=5, maxReplicaCount=2), "replica bounds"),
    ],
)
def test_keda_check_catches_mistakes(mutate: Callable[[Doc], object], expected: str) -> None:
    docs = copy.deepcopy(load_k8s())
    mutate(_scaled_object(docs))
    problems = keda_problems(docs)
    assert any(expected in p for p in problems), problems


def test_keda_address_is_the_redis_of_redis_url() -> None:
    docs = load_k8s()
    so = _scaled_object(docs)
    meta = so["spec"]["triggers"][0]["metadata"]
    worker = find_object(docs, "Deployment", so["spec"]["scaleTargetRef"]["name"])
    assert worker is not None
    env = container_env(docs, worker["spec"]["template"]["spec"]["containers"][0])
    address = meta.get("address") or env[meta["addressFromEnv"]]
    host, _, port = address.rpartition(":")
    url = urlsplit(env["REDIS_URL"])
    assert int(port) == url.port
    # The KEDA operator resolves the name from its own namespace: it must be qualified with ours.
    namespace = load_kustomization()["namespace"]
    assert host.split(".")[:3] == [url.hostname, namespace, "svc"], f"{host} is not {url.hostname}.{namespace}.svc"
    assert meta.get("databaseIndex", "0") == (url.path.lstrip("/") or "0")


# ------------------------------------------------------------------ Compose --


def env_map(environment: dict[str, Any] | list[str] | None) -> dict[str, str]:
    if environment is None:
        return {}
    if isinstance(environment, dict):
        return {k: "" if v is None else str(v) for k, v in environment.items()}
    pairs = (item.partition("=") for item in environment)
    return {key: value for key, _, value in pairs}


def flag_value(argv: list[str], flag: str) -> str | None:
    return argv[argv.index(flag) + 1] if flag in argv and argv.index(flag) + 1 < len(argv) else None


def compose_problems(compose: Doc) -> list[str]:
    problems: list[str] = []
    services: dict[str, Doc] = compose.get("services", {})
    for name in ("redis", "api", "worker", "notifier"):
        if name not in services:
            problems.append(f"service {name} is missing")
    if problems:
        return problems
    for name, svc in services.items():
        if "container_name" in svc:
            problems.append(f"{name}: container_name blocks --scale")
        test = svc.get("healthcheck", {}).get("test")
        if not test or svc["healthcheck"].get("disable") or test == ["NONE"]:
            problems.append(f"{name}: no healthcheck")
    for name in ("worker", "notifier"):
        for key in ("ports", "hostname"):
            if key in services[name]:
                problems.append(f"{name}: {key} set on a scalable service")
    for name, svc in services.items():
        if name != "api" and svc.get("ports"):
            problems.append(f"{name}: only api may publish ports")

    worker = services["worker"]
    grace = compose_duration_seconds(worker.get("stop_grace_period", "10s"))
    timeout = job_timeout(env_map(worker.get("environment")))
    if grace <= timeout:
        problems.append(f"worker: stop_grace_period {grace:g}s does not exceed the job timeout {timeout}s")
    if worker.get("stop_signal", "SIGTERM") != "SIGTERM":
        problems.append("worker: RQ warm shutdown needs SIGTERM")
    for name in ("api", "worker", "notifier"):
        dep = services[name].get("depends_on", {})
        if not isinstance(dep, dict) or dep.get("redis", {}).get("condition") != "service_healthy":
            problems.append(f"{name}: does not wait for a healthy redis")
        if "REDIS_URL" not in env_map(services[name].get("environment")):
            problems.append(f"{name}: no REDIS_URL")

    redis = services["redis"]
    argv = as_argv(redis.get("command"))
    if flag_value(argv, "--appendonly") != "yes":
        problems.append("redis: AOF is off (--appendonly yes)")
    if flag_value(argv, "--appendfsync") != "everysec":
        problems.append("redis: --appendfsync everysec missing")
    if flag_value(argv, "--maxmemory-policy") != "noeviction":
        problems.append("redis: --maxmemory-policy noeviction missing")
    maxmemory = flag_value(argv, "--maxmemory")
    if not maxmemory or "mem_limit" not in redis:
        problems.append("redis: --maxmemory and mem_limit must both be set")
    elif memory_bytes(maxmemory) > 0.7 * memory_bytes(str(redis["mem_limit"])):
        problems.append("redis: --maxmemory leaves no room below mem_limit")
    named = set((compose.get("volumes") or {}).keys())
    volumes = [v if isinstance(v, str) else f"{v.get('source')}:{v.get('target')}" for v in redis.get("volumes", [])]
    if not any(v.split(":")[0] in named and v.split(":")[1] == "/data" for v in volumes):
        problems.append("redis: /data is not on a named volume")

    api_ports = [str(p) if not isinstance(p, dict) else str(p.get("target")) for p in services["api"].get("ports", [])]
    if not any(p.split(":")[-1].split("/")[0] == str(API_PORT) for p in api_ports):
        problems.append(f"api: container port {API_PORT} is not published")
    return problems


def test_compose_follows_the_rules() -> None:
    assert compose_problems(load_compose()) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda s: s["worker"].update(container_name="sitrep-worker"), "container_name"),
        (lambda s: s["worker"].update(ports=["9000:9000"]), "ports set on a scalable service"),
        (lambda s: s["notifier"].update(ports=["9001"]), "ports set on a scalable service"),
        (lambda s: s["worker"].update(stop_grace_period="2m"), "does not exceed the job timeout"),
        (lambda s: s["worker"].pop("stop_grace_period"), "does not exceed the job timeout"),
        (lambda s: s["worker"].update(environment={"REDIS_URL": "x", "SITREP_JOB_TIMEOUT_SECONDS": "600"}), "600s"),
        (lambda s: s["worker"].update(depends_on=["redis"]), "healthy redis"),
        (lambda s: s["redis"].update(command=["redis-server", "--appendonly", "no"]), "AOF is off"),
        (lambda s: s["redis"].update(volumes=["/srv/redis:/data"]), "named volume"),
        (lambda s: s["redis"].pop("mem_limit"), "mem_limit must both be set"),
        (lambda s: s["redis"].update(mem_limit="700m"), "no room below mem_limit"),
        (lambda s: s["redis"].update(ports=["6379:6379"]), "only api may publish"),
        (lambda s: s["worker"].update(healthcheck={"disable": True, "test": ["CMD", "true"]}), "no healthcheck"),
    ],
)
def test_compose_check_catches_mistakes(mutate: Callable[[dict[str, Doc]], object], expected: str) -> None:
    compose = copy.deepcopy(load_compose())
    mutate(compose["services"])
    problems = compose_problems(compose)
    assert any(expected in p for p in problems), problems


def test_compose_duration_parser() -> None:
    assert compose_duration_seconds("200s") == 200
    assert compose_duration_seconds("3m20s") == 200
    assert compose_duration_seconds("1h") == 3600
    assert compose_duration_seconds("1500ms") == 1.5
    with pytest.raises(ValueError):
        compose_duration_seconds("200")
    with pytest.raises(ValueError):
        compose_duration_seconds("3 minutes")


def test_compose_sitrep_services_build_the_shared_image() -> None:
    services = load_compose()["services"]
    images = {services[n]["image"] for n in ("api", "worker", "notifier")}
    assert len(images) == 1
    for name in ("api", "worker", "notifier"):
        build = services[name]["build"]
        assert (COMPOSE_FILE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE


def test_compose_api_healthcheck_hits_healthz() -> None:
    api = load_compose()["services"]["api"]
    probe = " ".join(as_argv(api["healthcheck"]["test"]))
    assert f"127.0.0.1:{API_PORT}{HEALTH_PATH}" in probe
    assert "curl" not in probe and "wget" not in probe


# --------------------------------------------------------------- Dockerfile --


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = pending + line
        pending = ""
        keyword, _, rest = full.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    return instructions


def exec_form(arguments: str) -> list[str] | None:
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def dockerfile_problems(text: str) -> list[str]:
    problems: list[str] = []
    instructions = dockerfile_instructions(text)
    froms = [i for i, (kw, _) in enumerate(instructions) if kw == "FROM"]
    if len(froms) < 2:
        return ["not a multi-stage build"]
    args: dict[str, str] = {}
    for kw, rest in instructions[: froms[0]]:
        if kw == "ARG" and "=" in rest:
            key, value = rest.split("=", 1)
            args[key] = value
    final = instructions[froms[-1] :]
    base = final[0][1].split()[0]
    base = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), m.group(0)), base)
    if not re.fullmatch(r"(docker\.io/(library/)?)?python:3\.11[.\d]*-slim[\w.-]*", base):
        problems.append(f"runtime base {base!r} is not a slim Python 3.11 image")
    # COPY --from=<stage> or RUN --mount=...,from=<stage>
    if not any(kw in ("COPY", "RUN") and re.search(r"(--|,)from=\S", rest) for kw, rest in final):
        problems.append("runtime stage takes nothing from the build stage")
    users = [rest for kw, rest in final if kw == "USER"]
    if not users:
        problems.append("no USER in the runtime stage")
    elif users[-1].split(":")[0] in ("root", "0"):
        problems.append(f"runs as {users[-1]}")
    entrypoints = [rest for kw, rest in final if kw == "ENTRYPOINT"]
    if not entrypoints or exec_form(entrypoints[-1]) != ["sitrep"]:
        problems.append('ENTRYPOINT is not ["sitrep"] in exec form')
    cmds = [rest for kw, rest in final if kw == "CMD"]
    cmd = exec_form(cmds[-1]) if cmds else None
    if not cmd or cmd[0] not in SUBCOMMANDS:
        problems.append(f"CMD {cmds[-1:]} does not start with a sitrep subcommand")
    checks = [rest for kw, rest in final if kw == "HEALTHCHECK"]
    if not checks or HEALTH_PATH not in checks[-1] or "python" not in checks[-1]:
        problems.append("no python HEALTHCHECK on /healthz")
    elif re.search(r"\b(curl|wget)\b", checks[-1]):
        problems.append("HEALTHCHECK relies on curl/wget, absent from slim images")
    return problems


def test_dockerfile_follows_the_rules() -> None:
    assert dockerfile_problems(DOCKERFILE.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("USER 10001:10001", "USER root", "runs as root"),
        ("USER 10001:10001", "", "no USER"),
        ('ENTRYPOINT ["sitrep"]', "ENTRYPOINT sitrep", "ENTRYPOINT"),
        ('CMD ["api",', 'CMD ["serve",', "subcommand"),
        ("urllib.request.urlopen('http://127.0.0.1:8000/healthz'", "urllib.request.urlopen('http://x/'", "HEALTHCHECK"),
        ("python:3.11-slim-bookworm", "python:3.12-slim-bookworm", "slim Python 3.11"),
        ("--mount=type=bind,from=build,", "--mount=type=bind,", "nothing from the build stage"),
    ],
)
def test_dockerfile_check_catches_mistakes(old: str, new: str, expected: str) -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert old in text
    problems = dockerfile_problems(text.replace(old, new))
    assert any(expected in p for p in problems), problems


def test_dockerignore_keeps_the_package_sources() -> None:
    lines = [ln.strip() for ln in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()]
    rules = [ln for ln in lines if ln and not ln.startswith("#")]
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    wanted = ["pyproject.toml", *(name.rstrip("*") for name in packages["packages"]["find"]["include"])]
    assert "core" in wanted
    if "*" in rules:  # allow-list style: whatever the wheel build needs must be let back in
        for needed in wanted:
            assert f"!{needed}" in rules or f"!{needed}/" in rules, f".dockerignore drops {needed}"
    else:
        for needed in wanted:
            assert needed not in rules and f"{needed}/" not in rules, f".dockerignore drops {needed}"
    assert ".venv" in rules or "*" in rules, "the virtualenv would be sent to the daemon"


# ------------------------------------------------------ sitrep subcommands --


def deployed_commands() -> dict[str, list[str]]:
    """Where each sitrep process is started -> its arguments after `sitrep`."""
    found: dict[str, list[str]] = {}
    for name, svc in load_compose()["services"].items():
        if image_repo(svc.get("image", "")) == "sitrep":
            found[f"compose:{name}"] = as_argv(svc.get("command"))
    for wl, c in sitrep_containers(load_k8s()):
        found[f"k8s:{wl['metadata']['name']}"] = as_argv(c.get("args"))
    cmds = [rest for kw, rest in dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8")) if kw == "CMD"]
    found["Dockerfile:CMD"] = (exec_form(cmds[-1]) or []) if cmds else []
    return found


def test_every_sitrep_subcommand_is_known() -> None:
    found = deployed_commands()
    assert {"compose:api", "compose:worker", "compose:notifier"} <= found.keys()
    for where, argv in found.items():
        assert argv, f"{where}: no subcommand given"
        assert argv[0] in SUBCOMMANDS, f"{where}: unknown subcommand {argv[0]!r}"
    compose_roles = {argv[0] for where, argv in found.items() if where.startswith("compose:")}
    k8s_roles = {argv[0] for where, argv in found.items() if where.startswith("k8s:")}
    assert compose_roles == SUBCOMMANDS
    assert k8s_roles == SUBCOMMANDS


def test_api_listens_where_it_is_published() -> None:
    for where, argv in deployed_commands().items():
        if argv[:1] == ["api"]:
            assert flag_value(argv, "--port") == str(API_PORT), where
            assert flag_value(argv, "--host") == "0.0.0.0", where
