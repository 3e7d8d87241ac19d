// A small Airbyte-protocol Python package, written as a wheel by the test itself (PyPI is out of
// reach), for the python executor's real path: venv, pip install, console script.

import { join } from "node:path";

const MODULE = `
import json, sys

def _arg(name):
    args = sys.argv[2:]
    return args[args.index(name) + 1] if name in args else None

def _emit(message):
    sys.stdout.write(json.dumps(message) + "\\n")

def run():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    spec = {"type": "object", "required": ["token"], "properties": {
        "token": {"type": "string", "airbyte_secret": True},
        "rows": {"type": "integer", "default": 3}}}
    stream = {"name": "rows", "json_schema": {"type": "object", "properties": {"n": {"type": "integer"}}},
              "supported_sync_modes": ["full_refresh"]}
    if command == "spec":
        _emit({"type": "SPEC", "spec": {"connectionSpecification": spec}})
        return
    config = json.load(open(_arg("--config")))
    if command == "check":
        _emit({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}})
    elif command == "discover":
        _emit({"type": "CATALOG", "catalog": {"streams": [stream]}})
    elif command == "read":
        print("python connector starting (a plain log line)")
        for n in range(int(config.get("rows", 3))):
            _emit({"type": "RECORD", "record": {"stream": "rows", "data": {"n": n, "python": sys.version_info[0]}, "emitted_at": 0}})
    else:
        sys.stderr.write("unknown command %s\\n" % command)
        sys.exit(2)
`;

const BUILD = `
import base64, hashlib, sys, zipfile
out, module = sys.argv[1], sys.stdin.read()
dist = "airbyte_source_pyfake-0.1.0.dist-info"
files = {
    "source_pyfake/__init__.py": module,
    dist + "/METADATA": "Metadata-Version: 2.1\\nName: airbyte-source-pyfake\\nVersion: 0.1.0\\n",
    dist + "/WHEEL": "Wheel-Version: 1.0\\nGenerator: airbyte-mcp-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    dist + "/entry_points.txt": "[console_scripts]\\nsource-pyfake = source_pyfake:run\\n",
}
record = []
with zipfile.ZipFile(out, "w") as z:
    for name, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
        z.writestr(name, data)
    record.append(dist + "/RECORD,,")
    z.writestr(dist + "/RECORD", "\\n".join(record) + "\\n")
`;

/** Python 3 with a working venv module, or null. */
export function usablePython(): string | null {
  const python = Bun.which("python3");
  if (!python) return null;
  const probe = Bun.spawnSync([python, "-c", "import venv, ensurepip"], {
    stdout: "ignore",
    stderr: "ignore",
  });
  return probe.exitCode === 0 ? python : null;
}

/** Writes the wheel into `dir` and returns its path. */
export function writeWheel(python: string, dir: string): string {
  const path = join(dir, "airbyte_source_pyfake-0.1.0-py3-none-any.whl");
  const result = Bun.spawnSync([python, "-c", BUILD, path], { stdin: Buffer.from(MODULE), stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`writing the wheel failed: ${result.stderr.toString()}`);
  return path;
}
