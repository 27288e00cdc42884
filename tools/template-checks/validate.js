#!/usr/bin/env node
// Validates CloudFormation templates with AWS's validator, @aws/cloudformation-validate, the copy aws-cdk-lib
// bundles: `node validate.js TEMPLATE...`. Prints each finding of severity WARN or above that is not accepted
// below, and exits 1 when there is one (2 when the validator cannot run).
//
// The validator does not run SAM's transform, so a reference to a resource SAM generates (the API key of an
// AWS::Serverless::Api, a function's role or alias) looks like a reference to nothing, and that FATAL finding
// stops every later check. Such references get a stub resource of the type SAM would create, and findings about
// the stubs themselves are dropped; a reference that no SAM resource explains is reported as it is.
'use strict';

const fs = require('fs');
const path = require('path');

const VALIDATOR = path.join(__dirname, 'node_modules', 'aws-cdk-lib', 'node_modules', '@aws', 'cloudformation-validate');

// Findings read and accepted, each with its reason. A new finding fails the check until it is fixed or listed here.
const ACCEPTED = [
  {
    ruleId: 'W1030', logicalIds: ['DeadLetterAlarm', 'OldestMessageAlarm'],
    reason: 'AlarmActions/OKActions are !If [NotifyAlarmTopic, [AlarmTopicArn], NoValue]: the branch that uses ' +
      'AlarmTopicArn is taken only when it is not empty, which the validator does not relate to its empty default',
  },
  {
    ruleId: 'W2509', logicalIds: ['DatabaseSecretArn'],
    reason: 'the name says "Secret" but the value is the ARN of the secret, not the secret: nothing to hide',
  },
];

// What SAM generates for its resources, by suffix of the logical id, and the type of the resource it creates.
const SAM_GENERATED = {
  'AWS::Serverless::Api': [
    [/^ApiKey$/, 'AWS::ApiGateway::ApiKey'], [/^UsagePlan$/, 'AWS::ApiGateway::UsagePlan'],
    [/^UsagePlanKey$/, 'AWS::ApiGateway::UsagePlanKey'], [/^Deployment[0-9a-f]*$/, 'AWS::ApiGateway::Deployment'],
    [/^\w+Stage$/, 'AWS::ApiGateway::Stage'],
  ],
  'AWS::Serverless::Function': [
    [/^Role$/, 'AWS::IAM::Role'], [/^Alias\w+$/, 'AWS::Lambda::Alias'], [/^Version\w*$/, 'AWS::Lambda::Version'],
  ],
};

function load() {
  try {
    return require(VALIDATOR);
  } catch (e) {
    console.error(`cfn-validate: cannot load ${VALIDATOR}: ${e.message} (run npm ci in ${__dirname})`);
    process.exit(2);
  }
}

function run(engine, v, text, name) {
  return engine.validateTemplate(new v.TemplateContent(text, name), {
    detailLevel: 'STANDARD',
    severityLevel: 'WARN',
  }).diagnostics;
}

// Logical ids the diagnostics say are referenced but missing.
function missingReferences(diagnostics) {
  const ids = new Set();
  for (const d of diagnostics) {
    const m = /^Ref '([^']+)' does not reference/.exec(d.message) || /non-existent resource '([^']+)'/.exec(d.message)
      || (d.ruleId === 'F1020' && /^'([^']+)' is not one of \[/.exec(d.message));
    if (m) ids.add(m[1]);
  }
  return ids;
}

// The SAM resource that generates `id` and the type it generates, or null.
function samOrigin(id, resources) {
  for (const [owner, resource] of Object.entries(resources)) {
    const generated = SAM_GENERATED[resource.resourceType || resource.type];
    if (!generated || !id.startsWith(owner)) continue;
    const suffix = id.slice(owner.length);
    for (const [pattern, type] of generated) {
      if (pattern.test(suffix)) return { owner, type };
    }
  }
  return null;
}

function resourceTypes(v, text, name) {
  const model = new v.TemplateModel(new v.TemplateContent(text, name));
  try {
    const resources = {};
    for (const [id, r] of Object.entries(model.resources())) {
      resources[id] = { resourceType: r.resourceType || r.type || r.Type };
    }
    return resources;
  } finally {
    model.free();
  }
}

function accepted(d) {
  const id = d.entity && d.entity.logicalId;
  return ACCEPTED.find((a) => a.ruleId === d.ruleId && a.logicalIds.includes(id));
}

function validate(engine, v, file) {
  const name = path.relative(process.cwd(), file) || file;
  // SAM's `!Ref Function.Version` and `!Ref Function.Alias` name the version and alias it generates
  // (FunctionVersion<hash>, FunctionAlias<name>): written so, on the same line, they get stubs like the rest.
  const text = fs.readFileSync(file, 'utf8')
    .replace(/(!Ref\s+|Ref:\s*)([A-Za-z0-9]+)\.(Version|Alias)\b/g,
      (m, ref, id, kind) => ref + id + (kind === 'Alias' ? 'Aliaslive' : 'Version'));
  let diagnostics = run(engine, v, text, name);
  const stubs = [];
  const resources = resourceTypes(v, text, name);
  let shift = { after: Infinity, lines: 0 };
  // A FATAL finding hides the next one: stub, validate again, until no new reference is explained by SAM.
  for (;;) {
    const more = [];
    for (const id of missingReferences(diagnostics)) {
      const origin = samOrigin(id, resources);
      if (origin && !stubs.some((s) => s.id === id)) more.push({ id, ...origin });
    }
    if (more.length === 0) break;
    stubs.push(...more);
    const lines = text.split('\n');
    const at = lines.findIndex((l) => /^Resources:\s*$/.test(l));
    const added = stubs.flatMap((s) => [`  ${s.id}:`, `    Type: ${s.type}`]);
    lines.splice(at + 1, 0, ...added);
    diagnostics = run(engine, v, lines.join('\n'), name);
    shift = { after: at + 1, lines: added.length };
  }
  const stubIds = new Set(stubs.map((s) => s.id));
  const findings = [];
  const acceptedFindings = [];
  for (const d of diagnostics) {
    if (d.entity && stubIds.has(d.entity.logicalId)) continue;
    const line = d.startLine > shift.after ? d.startLine - shift.lines : d.startLine;
    const text = `${name}:${line || '?'} ${d.severity} ${d.ruleId} ` +
      `${d.entity ? d.entity.logicalId + ': ' : ''}${d.message}`;
    (accepted(d) ? acceptedFindings : findings).push({ line, severity: d.severity, ruleId: d.ruleId, text });
  }
  return { name, findings, accepted: acceptedFindings, stubs };
}

/** Validates each file: [{name, findings: [{line, severity, ruleId, text}], accepted, stubs}]. */
function validateFiles(files) {
  const v = load();
  const engine = new v.CompositeEngine();
  try {
    return files.map((file) => validate(engine, v, file));
  } finally {
    engine.free();
  }
}

function describe(r) {
  const stubs = r.stubs.map((s) => `${s.id} (${s.type}, generated by SAM for ${s.owner})`).join(', ');
  return `${r.findings.length} finding(s)` + (r.accepted.length ? `, ${r.accepted.length} accepted` : '') +
    (stubs ? `; stubbed ${stubs}` : '');
}

function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: validate.js TEMPLATE...');
    process.exit(2);
  }
  let failed = false;
  for (const r of validateFiles(files)) {
    for (const f of r.findings) console.log(`  ${f.text}`);
    console.log(`cfn-validate ${r.name}: ${describe(r)}`);
    failed = failed || r.findings.length > 0;
  }
  process.exit(failed ? 1 : 0);
}

module.exports = { validateFiles, describe };

if (require.main === module) main();
