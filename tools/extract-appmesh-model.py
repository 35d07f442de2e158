#!/usr/bin/env python3
"""Writes the App Mesh API model that control-api validates requests against.

The source is the machine-readable model of App Mesh 2019-01-25 that botocore ships
(Apache License 2.0, (c) Amazon.com, Inc.). We keep only what validation needs --
operations, member names and locations, required members, bounds, enums, patterns and
unions -- and drop the documentation text.

Usage: tools/extract-appmesh-model.py [path/to/service-2.json[.gz]] > \
         control-api/src/main/resources/appmesh/model-2019-01-25.json
"""
import gzip
import json
import os
import sys

KEEP_SHAPE = ("type", "required", "min", "max", "enum", "pattern", "union", "payload", "error")
KEEP_MEMBER = ("shape", "location", "locationName", "idempotencyToken")


def default_source():
    import botocore  # only needed when no path is given
    base = os.path.join(os.path.dirname(botocore.__file__), "data", "appmesh", "2019-01-25")
    for name in ("service-2.json", "service-2.json.gz"):
        if os.path.exists(os.path.join(base, name)):
            return os.path.join(base, name)
    sys.exit("no App Mesh model under " + base)


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def main():
    model = load(sys.argv[1] if len(sys.argv) > 1 else default_source())
    out = {"metadata": {k: model["metadata"][k] for k in ("apiVersion", "protocol", "signingName")},
           "operations": {}, "shapes": {}}
    for name, op in sorted(model["operations"].items()):
        out["operations"][name] = {
            "method": op["http"]["method"], "requestUri": op["http"]["requestUri"],
            "input": op.get("input", {}).get("shape"), "output": op.get("output", {}).get("shape")}
    for name, shape in sorted(model["shapes"].items()):
        s = {k: shape[k] for k in KEEP_SHAPE if k in shape}
        if "members" in shape:
            s["members"] = {m: {k: v for k, v in spec.items() if k in KEEP_MEMBER}
                            for m, spec in sorted(shape["members"].items())}
        if "member" in shape:
            s["member"] = shape["member"]["shape"]
        out["shapes"][name] = s
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
