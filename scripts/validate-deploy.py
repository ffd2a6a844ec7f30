#!/usr/bin/env python3
"""Validates what `kubectl apply -k` would deploy, beyond what the cluster checks itself.

1. Renders the base and the examples with `kubectl kustomize`.
2. Every WorkflowTemplate against Argo's published JSON schema (v3.7.18 and v4.1.2, from
   Tests/Fixtures/argo-schema or SCHEMA_DIR). That schema accepts unknown fields, so it is a floor.
3. What the schema cannot say, from the step contract: the six names and their parameters, the
   description annotation, retries on exit 75 only, deadlines, resources, a non-root read-only
   container with an emptyDir /tmp, podGC where a Secret is owned by a pod, images pinned.
4. The Kubernetes objects with `kubernetes-validate --strict` when it is installed (CI installs it).

Prints one line per problem and exits 1 if there is any.
"""
import json
import os
import shutil
import subprocess
import sys

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_DIR = os.environ.get("SCHEMA_DIR", os.path.join(ROOT, "Tests", "Fixtures", "argo-schema"))
problems = []


def problem(text):
    problems.append(text)
    print("validate-deploy: " + text, file=sys.stderr)


def render(path):
    out = subprocess.run(["kubectl", "kustomize", path], check=True, capture_output=True, text=True).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


base = render(ROOT)
examples = render(os.path.join(ROOT, "examples"))
templates = {d["metadata"]["name"]: d for d in base if d["kind"] == "WorkflowTemplate"}

# 2. Argo's schema, both series.
for version in ("v3.7.18", "v4.1.2"):
    schema = json.load(open(os.path.join(SCHEMA_DIR, version, "schema.json")))
    wrapper = {"$schema": schema.get("$schema"), "definitions": schema["definitions"],
               "$ref": "#/definitions/io.argoproj.workflow.v1alpha1.WorkflowTemplate"}
    validator = jsonschema.Draft202012Validator(wrapper)
    for name, doc in templates.items():
        for error in validator.iter_errors(doc):
            problem(f"{name}: Argo {version} schema: {'/'.join(map(str, error.absolute_path))}: {error.message}")

# 3. The contract.
expected = {
    "nautobot-api": ({"method", "uri", "body"}, "result"),
    "get-device-nautobot": ({"hostname"}, "device"),
    "get-obm-ip": ({"hostname"}, "ip"),
    "get-obm-creds": ({"hostname"}, "secret"),
    "obm-sync-creds": ({"hostname"}, "status"),
    "obm-firmware-update": ({"hostname", "firmware-url", "plan"}, "status"),
}
# Issue 9's fleet rollouts: a selection, a fan-out, a budget; their result is step summary's output.
selection = {"location", "role", "tag", "platform", "manufacturer", "status"}
expected.update({
    "get-devices-nautobot": (selection, "hostnames"),
    "fleet-rollout": (set(), "summary"),
    "obm-sync-creds-fleet": (selection | {"failure-budget"}, None),
    "obm-firmware-update-fleet": (selection | {"failure-budget"}, None),
})
# Firmware compliance steps (contract.md): the inventory of one device's BMC.
expected["get-firmware-inventory"] = ({"hostname"}, "inventory")
expected["firmware-plan"] = ({"hostname", "allow-downgrade", "require-compliant", "record"}, "plan")
expected["firmware-compliance-fleet"] = (selection | {"failure-budget", "require-compliant"}, None)
if set(templates) != set(expected):
    problem(f"templates are {sorted(templates)}, the contract names {sorted(expected)}")
owned_secret = {
    "get-obm-creds", "obm-sync-creds", "obm-firmware-update", "obm-sync-creds-fleet", "obm-firmware-update-fleet", "get-firmware-inventory",
    "firmware-plan", "firmware-compliance-fleet",
}
for name, doc in templates.items():
    spec = doc["spec"]
    if not doc["metadata"].get("annotations", {}).get("workflows.argoproj.io/description"):
        problem(f"{name}: no workflows.argoproj.io/description annotation")
    if doc["metadata"].get("namespace") != "argo-events":
        problem(f"{name}: namespace is not argo-events")
    params = {p["name"] for p in spec.get("arguments", {}).get("parameters", [])}
    want_params, want_output = expected.get(name, (set(), ""))
    if params != want_params:
        problem(f"{name}: workflow parameters {sorted(params)}, the contract says {sorted(want_params)}")
    if spec.get("serviceAccountName") != "workflow":
        problem(f"{name}: serviceAccountName is not workflow")
    if name in owned_secret and spec.get("podGC", {}).get("strategy") != "OnWorkflowCompletion":
        problem(f"{name}: a Secret may be owned by a pod here: podGC must be OnWorkflowCompletion")
    entry = next((t for t in spec["templates"] if t["name"] == spec.get("entrypoint")), None)
    if entry is None:
        problem(f"{name}: entrypoint {spec.get('entrypoint')} is not a template")
    elif want_output is not None and want_output not in {p["name"] for p in entry.get("outputs", {}).get("parameters", [])}:
        problem(f"{name}: the entrypoint does not output {want_output}")
    for template in spec["templates"]:
        where = f"{name}/{template['name']}"
        container = template.get("container")
        if not container:
            continue
        step = container["image"].split("/")[-1].split(":")[0]
        if not container["image"].endswith(":0.1.0") or "ghcr.io/" not in container["image"]:
            problem(f"{where}: image {container['image']} is not pinned by kustomization.yaml's images block")
        if "command" in container:
            problem(f"{where}: sets a command; the image's ENTRYPOINT is the step")
        retry = template.get("retryStrategy", {})
        if retry.get("expression", "").replace(" ", "") != "asInt(lastRetry.exitCode)==75" or "backoff" not in retry:
            problem(f"{where}: retryStrategy must retry exit 75 only, with backoff")
        # Int-or-string fields are written as strings: Argo takes both, its JSON schema only strings.
        if not str(template.get("activeDeadlineSeconds", "")).isdigit():
            problem(f"{where}: no activeDeadlineSeconds")
        resources = container.get("resources", {})
        if not resources.get("requests") or not resources.get("limits", {}).get("memory"):
            problem(f"{where}: resource requests and a memory limit are required")
        pod = template.get("securityContext", {})
        sc = container.get("securityContext", {})
        if not pod.get("runAsNonRoot") or sc.get("allowPrivilegeEscalation") is not False or not sc.get("readOnlyRootFilesystem"):
            problem(f"{where}: must run non-root, without privilege escalation, on a read-only root filesystem")
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        volumes = {v["name"]: v for v in template.get("volumes", [])}
        if "emptyDir" not in volumes.get(mounts.get("/tmp", ""), {}):
            problem(f"{where}: /tmp must be an emptyDir (outputs are written there)")
        for parameter in template.get("outputs", {}).get("parameters", []):
            path = parameter.get("valueFrom", {}).get("path")
            if path and path != "/tmp/outputs/" + parameter["name"]:
                problem(f"{where}: output {parameter['name']} read from {path}, not /tmp/outputs/{parameter['name']}")
        args = container.get("args", [])
        for flag in args[::2]:
            if not flag.startswith("--"):
                problem(f"{where}: args must be --option value pairs ({flag})")
        if step != name and name not in {"obm-sync-creds", "obm-firmware-update"}:
            problem(f"{where}: runs {step}, not its own step {name}")

# RBAC: exactly what the contract lists.
role = next(d for d in base if d["kind"] == "Role")
rules = sorted((tuple(r["apiGroups"]), tuple(r["resources"]), tuple(sorted(r["verbs"]))) for r in role["rules"])
want_rules = sorted([(("",), ("secrets",), ("create", "get", "patch", "update")), (("",), ("pods",), ("get",)),
                     (("",), ("configmaps",), ("create", "get", "patch", "update")),
                     (("coordination.k8s.io",), ("leases",), ("create", "get", "patch", "update")),
                     (("argoproj.io",), ("workflowtaskresults",), ("create", "patch")),
                     (("argoproj.io",), ("workflows",), ("get",))])
if rules != want_rules:
    problem(f"Role rules {rules} differ from the contract's {want_rules}")
if any(d["kind"] in ("ClusterRole", "ClusterRoleBinding") for d in base):
    problem("the base must not grant cluster-wide rights")
if any(d["kind"] in ("Secret", "ConfigMap") for d in base):
    problem("example Secrets and ConfigMaps belong in examples/, not the base")

# 4. Kubernetes objects, offline and strict.
if shutil.which("kubernetes-validate"):
    plain = [d for d in base + examples if d["kind"] != "WorkflowTemplate"]
    path = "/tmp/validate-deploy-objects.yaml"
    with open(path, "w") as f:
        yaml.safe_dump_all(plain, f)
    result = subprocess.run(["kubernetes-validate", "--strict", "--kubernetes-version", "1.32", path], capture_output=True, text=True)
    if result.returncode != 0:
        problem("kubernetes-validate --strict: " + (result.stdout + result.stderr).strip().replace("\n", "; "))
    else:
        print(f"validate-deploy: kubernetes-validate --strict: {len(plain)} objects valid", file=sys.stderr)
elif os.environ.get("REQUIRE_KUBERNETES_VALIDATE") == "1":
    problem("kubernetes-validate is not installed (pip install kubernetes-validate)")

print(f"validate-deploy: {len(templates)} WorkflowTemplates, {len(base) - len(templates)} other objects, {len(examples)} examples; "
      f"{len(problems)} problem(s)", file=sys.stderr)
sys.exit(1 if problems else 0)
