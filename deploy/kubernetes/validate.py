"""Validates rendered Kubernetes manifests offline, strictly, against several Kubernetes versions.

Built-in kinds: the schemas kubernetes-validate ships (one set per Kubernetes minor), strict (an unknown field
is an error). Custom resources: the JSON schemas in schemas/ beside this file, named <group>-<version>-<kind>.json.
A document of a kind with neither is an error too, never a skipped check.

usage: validate.py -k 1.30.0 -k 1.37.0 FILE...     (FILE: multi-document YAML, e.g. `kustomize build` output)
Prints one line per problem and exits 1 if there was any, else prints a summary and exits 0.
"""

import argparse
import json
import pathlib
import sys

import jsonschema
import kubernetes_validate
import yaml

SCHEMAS = pathlib.Path(__file__).parent / "schemas"


def custom_schema(document):
    group_version = document.get("apiVersion", "").replace("/", "-")
    path = SCHEMAS / f"{group_version}-{str(document.get('kind', '')).lower()}.json"
    return json.loads(path.read_text()) if path.exists() else None


def problems(document, version):
    name = f"{document.get('kind')}/{document.get('metadata', {}).get('name')}"
    schema = custom_schema(document)
    if schema is not None:
        validator = jsonschema.Draft202012Validator(schema)
        for error in validator.iter_errors(document):
            where = "/".join(str(part) for part in error.absolute_path)
            yield f"{name} (custom resource schema): {where}: {error.message}"
        return
    try:
        kubernetes_validate.validate(document, version, strict=True)
    except kubernetes_validate.utils.SchemaNotFoundError as error:
        yield f"{name} (Kubernetes {version}): {error.message}"
    except kubernetes_validate.utils.ValidationError as error:
        where = "/".join(str(part) for part in error.path)
        yield f"{name} (Kubernetes {version}): {where}: {error.message}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", "--kubernetes-version", action="append", required=True, dest="versions")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    found, checked = [], 0
    for file in args.files:
        with open(file) as stream:
            documents = [d for d in yaml.safe_load_all(stream) if d]
        for document in documents:
            checked += 1
            for version in args.versions:
                found.extend(problems(document, version))
    for line in dict.fromkeys(found):
        print(line)
    if found:
        return 1
    print(f"{checked} documents valid against Kubernetes {', '.join(args.versions)} (strict)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
