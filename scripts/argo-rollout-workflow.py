#!/usr/bin/env python3
"""An obm-sync-creds-fleet Workflow over N hosts as a real Argo controller (v3.7/v4.1) writes it.

Every node with the fields the controller sets (templateScope, progress, resourcesDuration,
hostNodeName, nodeFlag, outputs with valueFrom and exitCode as a string), ids as Argo makes them
(the workflow's name, '-', FNV-1a 32 of the node's name), Retry nodes with a Pod per attempt,
StepGroups, the links from a group's last pods to the next group, the WorkflowTemplate stored in
the status, and status.taskResultsCompletionStatus. Then packed as the controller packs it
(workflow/packer/packer.go): nodes inline while the whole object's JSON is at most
MAX_WORKFLOW_SIZE (1 MiB), else gzip + base64 in status.compressedNodes, else too large (the
controller would offload the nodes to its database, or mark the Workflow Error without one).

Hosts: every --failed-every'th fails at get-obm-ip (exit 1, its sync Omitted); every
--retried-every'th has get-obm-ip fail with 75 once and then succeed. The summary's first attempt
is running. Writes the Workflow JSON to stdout and its sizes as JSON to stderr; --sizes-only
prints the sizes alone.
"""
import argparse
import base64
import gzip
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WF = "obm-sync-creds-fleet-x7k2p"
NS = "argo-events"


def fnv32a(text):
    h = 0x811C9DC5
    for b in text.encode():
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def node_id(name):
    return WF if name == WF else "%s-%d" % (WF, fnv32a(name))


def stamp(seconds):
    s = int(seconds)
    return "2026-11-30T%02d:%02d:%02dZ" % (2 + s // 3600 % 20, s // 60 % 60, s % 60)


class Graph:
    def __init__(self):
        self.nodes = {}

    def add(self, name, display, kind, boundary=None, ref=None, template=None, scope=None, phase="Succeeded",
            start=0, end=1, inputs=None, outputs=None, exit_code=None, message=None, flag=None):
        node = {"id": node_id(name), "name": name, "displayName": display, "type": kind}
        if ref:
            node["templateRef"] = {"name": ref[0], "template": ref[1]}
        if template:
            node["templateName"] = template
        node["templateScope"] = scope or "local/" + WF
        node["phase"] = phase
        if boundary:
            node["boundaryID"] = boundary
        if message:
            node["message"] = message
        node["startedAt"] = stamp(start)
        node["finishedAt"] = stamp(end) if phase not in ("Running", "Pending") else None
        node["progress"] = "1/1"
        node["resourcesDuration"] = {"cpu": 1, "memory": 7}
        if inputs:
            node["inputs"] = {"parameters": [{"name": k, "value": v} for k, v in inputs]}
        if outputs is not None or exit_code is not None:
            out = {}
            if outputs:
                out["parameters"] = [{"name": k, "value": v, "valueFrom": {"path": "/tmp/outputs/" + k}} for k, v in outputs]
            if exit_code is not None:
                out["exitCode"] = str(exit_code)
            node["outputs"] = out
        if kind == "Pod":
            node["hostNodeName"] = "worker-%02d.dc3.local" % (fnv32a(name) % 40)
        node["nodeFlag"] = flag if flag is not None else {}
        self.nodes[node["id"]] = node
        return node["id"]

    def link(self, parent, child):
        self.nodes[parent].setdefault("children", []).append(child)

    def pod_step(self, name, display, boundary, ref, template, scope, inputs, outputs, attempts, start):
        """A retried container step: a Retry node and a Pod per attempt, each (phase, exit code, message)."""
        last = attempts[-1]
        retry = self.add(name, display, "Retry", boundary, ref, template, scope, "Succeeded" if last[1] == 0 else "Failed",
                         start, start + 2 * len(attempts), inputs, outputs if last[1] == 0 else None, last[1],
                         None if last[1] == 0 else "retryStrategy.expression evaluated to false")
        pod = None
        for index, (phase, code, message) in enumerate(attempts):
            pod = self.add("%s(%d)" % (name, index), "%s(%d)" % (display, index), "Pod", boundary, ref, template, scope,
                           phase, start + 2 * index, start + 2 * index + 1, inputs, outputs if code == 0 else None,
                           code, message, {"retried": True} if index > 0 else {})
            self.link(retry, pod)
        return retry, [pod]


def build(hosts, failed_every, retried_every):
    g = Graph()
    names = ["rack%02d-%03d.dc3.local" % (i // 40 + 1, i % 40 + 1) for i in range(hosts)]
    listing = json.dumps(names)
    g.add(WF, WF, "Steps", template="main", phase="Running", start=0)
    sg0 = g.add(WF + "[0]", "[0]", "StepGroup", WF, start=0, end=3)
    g.link(WF, sg0)
    select, select_out = g.pod_step(WF + "[0].select", "select", WF, ("get-devices-nautobot", "main"), None,
                                    "namespaced/get-devices-nautobot", [("location", "DC3"), ("status", "Active")],
                                    [("hostnames", listing), ("count", str(hosts))], [("Succeeded", 0, None)], 0)
    g.link(sg0, select)
    sg1 = g.add(WF + "[1]", "[1]", "StepGroup", WF, start=3, end=10 + hosts)
    for o in select_out:
        g.link(o, sg1)
    rollout_name = WF + "[1].rollout"
    rollout = g.add(rollout_name, "rollout", "Steps", WF, template="rollout", start=3, end=10 + hosts,
                    inputs=[("hostnames", listing), ("total", str(hosts))])
    g.link(sg1, rollout)
    rsg = g.add(rollout_name + "[0]", "[0]", "StepGroup", rollout, start=3, end=10 + hosts)
    g.link(rollout, rsg)
    outbound = []
    failed = retried = 0
    for i, host in enumerate(names):
        t = 3 + i
        hname = "%s[0].host(%d:%s)" % (rollout_name, i, host)
        h = g.add(hname, "host(%d:%s)" % (i, host), "Steps", rollout, template="host", start=t, end=t + 30,
                  inputs=[("hostname", host), ("total", str(hosts))])
        g.link(rsg, h)
        hs0 = g.add(hname + "[0]", "[0]", "StepGroup", h, start=t, end=t + 2)
        g.link(h, hs0)
        admit_inputs = [("hostname", host), ("total", str(hosts)), ("host-template", "obm-sync-creds/main"),
                        ("failure-budget", "10%")]
        admit, admit_out = g.pod_step(hname + "[0].admit", "admit", h, ("fleet-rollout", "admit"), None,
                                      "namespaced/fleet-rollout", admit_inputs, [("decision", "run")],
                                      [("Succeeded", 0, None)], t)
        g.link(hs0, admit)
        hs1 = g.add(hname + "[1]", "[1]", "StepGroup", h, start=t + 2, end=t + 30)
        for o in admit_out:
            g.link(o, hs1)
        fails = failed_every and i % failed_every == failed_every - 1
        retries = not fails and retried_every and i % retried_every == retried_every - 1
        failed += bool(fails)
        retried += bool(retries)
        sname = hname + "[1].sync"
        sync = g.add(sname, "sync", "DAG", h, ("obm-sync-creds", "main"), None, "namespaced/obm-sync-creds",
                     "Failed" if fails else "Succeeded", t + 2, t + 30, [("hostname", host)],
                     None if fails else [("status", "synced")])
        g.link(hs1, sync)
        if fails:
            ip_attempts = [("Failed", 1, 'main: Error (exit code 1): device "%s" has no interface named iDRAC, iLO or BMC' % host)]
        elif retries:
            ip_attempts = [("Failed", 75, "main: Error (exit code 75): Nautobot answered 503 Service Unavailable"),
                           ("Succeeded", 0, None)]
        else:
            ip_attempts = [("Succeeded", 0, None)]
        ip, ip_out = g.pod_step(sname + ".get-obm-ip", "get-obm-ip", sync, ("get-obm-ip", "main"), None,
                                "namespaced/get-obm-ip", [("hostname", host)], [("ip", "192.0.2.%d" % (i % 250 + 1))],
                                ip_attempts, t + 2)
        creds, creds_out = g.pod_step(sname + ".get-obm-creds", "get-obm-creds", sync, ("get-obm-creds", "main"), None,
                                      "namespaced/get-obm-creds", [("hostname", host)],
                                      [("secret", "obm-creds-" + host)], [("Succeeded", 0, None)], t + 2)
        g.link(sync, ip)
        g.link(sync, creds)
        if fails:
            task = g.add(sname + ".sync", "sync", "Skipped", sync, None, "sync", "namespaced/obm-sync-creds", "Omitted",
                         t + 5, t + 5, message="omitted: depends condition not met")
            last = [task]
        else:
            task, last = g.pod_step(sname + ".sync", "sync", sync, None, "sync", "namespaced/obm-sync-creds",
                                    [("host", "192.0.2.%d" % (i % 250 + 1)), ("secret", "obm-creds-" + host)],
                                    [("status", "synced")], [("Succeeded", 0, None)], t + 5)
        for o in ip_out + creds_out:
            g.link(o, task)
        g.nodes[sync]["outboundNodes"] = last
        g.nodes[h]["outboundNodes"] = last
        outbound += last
    g.nodes[rollout]["outboundNodes"] = outbound
    sg2 = g.add(WF + "[2]", "[2]", "StepGroup", WF, phase="Running", start=10 + hosts)
    for o in outbound:
        g.link(o, sg2)
    summary = g.add(WF + "[2].summary", "summary", "Retry", WF, ("fleet-rollout", "summarize"), None,
                    "namespaced/fleet-rollout", "Running", 10 + hosts,
                    inputs=[("hostnames", listing), ("host-template", "obm-sync-creds/main"), ("failure-budget", "10%")])
    g.link(sg2, summary)
    pod = g.add(WF + "[2].summary(0)", "summary(0)", "Pod", WF, ("fleet-rollout", "summarize"), None,
                "namespaced/fleet-rollout", "Running", 10 + hosts,
                inputs=[("hostnames", listing), ("host-template", "obm-sync-creds/main"), ("failure-budget", "10%")])
    g.link(summary, pod)
    return g.nodes, names, failed, retried


def workflow(nodes):
    templates = {}
    for file in sorted(os.listdir(os.path.join(ROOT, "workflowtemplates"))):
        with open(os.path.join(ROOT, "workflowtemplates", file)) as f:
            doc = yaml.safe_load(f)
        templates[doc["metadata"]["name"]] = doc
    fleet = templates["obm-sync-creds-fleet"]
    stored = {}
    for name, doc in templates.items():
        if name != "obm-sync-creds-fleet":
            for t in doc["spec"]["templates"]:
                stored["namespaced/%s/%s" % (name, t["name"])] = t
    pods = [n["id"] for n in nodes.values() if n["type"] == "Pod"]
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
        "metadata": {"name": WF, "generateName": "obm-sync-creds-fleet-", "namespace": NS,
                     "uid": "4f0c6d52-6b8e-4b7e-9d55-2f4f7c1e9a10", "resourceVersion": "81234567", "generation": 42,
                     "creationTimestamp": stamp(0),
                     "labels": {"workflows.argoproj.io/completed": "false", "workflows.argoproj.io/phase": "Running",
                                "workflows.argoproj.io/workflow-template": "obm-sync-creds-fleet"},
                     "annotations": {"workflows.argoproj.io/pod-name-format": "v2"}},
        "spec": {"arguments": {"parameters": [{"name": "location", "value": "DC3"}]},
                 "workflowTemplateRef": {"name": "obm-sync-creds-fleet"}},
        "status": {"phase": "Running", "startedAt": stamp(0), "finishedAt": None, "progress": "%d/%d" % (len(pods) - 1, len(pods)),
                   "nodes": nodes, "storedTemplates": stored, "storedWorkflowTemplateSpec": fleet["spec"],
                   "artifactRepositoryRef": {"default": True, "artifactRepository": {}},
                   "conditions": [{"type": "PodRunning", "status": "True"}],
                   "taskResultsCompletionStatus": {pod: True for pod in pods}},
    }


def compact(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def pack(wf, max_size):
    """packer.go: inline if the object is small enough, else compressedNodes, else too large."""
    inline = len(compact(wf).encode())
    nodes_json = compact(wf["status"]["nodes"]).encode()
    if inline <= max_size:
        return wf, {"packing": "inline", "workflowBytes": inline, "nodesBytes": len(nodes_json)}
    packed = json.loads(json.dumps(wf))
    packed["status"]["compressedNodes"] = base64.b64encode(gzip.compress(nodes_json, 6)).decode()
    del packed["status"]["nodes"]
    size = len(compact(packed).encode())
    info = {"workflowBytesInline": inline, "nodesBytes": len(nodes_json),
            "compressedNodesBytes": len(packed["status"]["compressedNodes"]), "workflowBytes": size}
    if size <= max_size:
        info["packing"] = "compressed"
    else:
        info["packing"] = "too large: offloaded with a database, else the Workflow is marked Error"
    return packed, info


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, required=True)
    parser.add_argument("--failed-every", type=int, default=50)
    parser.add_argument("--retried-every", type=int, default=20)
    parser.add_argument("--max-size", type=int, default=1024 * 1024, help="MAX_WORKFLOW_SIZE")
    parser.add_argument("--hostnames-out", help="write the host list (JSON) here")
    parser.add_argument("--sizes-only", action="store_true")
    args = parser.parse_args()
    nodes, names, failed, retried = build(args.hosts, args.failed_every, args.retried_every)
    packed, info = pack(workflow(nodes), args.max_size)
    info.update({"hosts": args.hosts, "nodes": len(nodes), "failedHosts": failed, "retriedHosts": retried})
    if args.hostnames_out:
        with open(args.hostnames_out, "w") as f:
            json.dump(names, f)
    if args.sizes_only:
        print(json.dumps(info))
        return
    sys.stdout.write(compact(packed))
    sys.stderr.write(json.dumps(info) + "\n")


if __name__ == "__main__":
    main()
