// docs/z2jh/values.yaml, the Zero to JupyterHub example of docs/classroom.md, against the chart's own JSON
// schema (docs/z2jh/values.schema.json), merged over the chart's defaults as Helm validates it; a misspelt key
// must be refused, so the check can fail.
import { describe, expect, it } from "vitest";
import { runInEnv } from "./helpers/project";

const VALIDATE = `
import copy, json, sys, yaml, jsonschema
def merge(a, b):
    out = copy.deepcopy(a)
    for k, v in b.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out
defaults = yaml.safe_load(open("docs/z2jh/chart-values.yaml"))
schema = json.load(open("docs/z2jh/values.schema.json"))
mine = yaml.safe_load(open("docs/z2jh/values.yaml"))
if len(sys.argv) > 1:
    mine = merge(mine, json.loads(sys.argv[1]))
jsonschema.validate(merge(defaults, mine), schema)
print("valid")
`;

describe("the Zero to JupyterHub values.yaml in docs", () => {
  it("validates against the chart's schema; a misspelt key does not", () => {
    const ok = runInEnv(["python", "-c", VALIDATE]);
    expect(ok.stderr + ok.stdout).toContain("valid");
    expect(ok.status).toBe(0);
    const misspelt = runInEnv(["python", "-c", VALIDATE, JSON.stringify({ singleuser: { storage: { extraVolumeMount: [] } } })]);
    expect(misspelt.status).not.toBe(0);
    expect(misspelt.stderr).toContain("'extraVolumeMount' was unexpected");
  });
});
