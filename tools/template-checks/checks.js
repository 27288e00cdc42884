#!/usr/bin/env node
// The template checks, run by ./run:
//   node checks.js write-broken   writes broken/<case>.yaml from template.yaml (see broken/cases.js) and prints
//                                 their paths
//   node checks.js check          AWS's validator and cfn-guard on template.yaml and its resolved copy (which
//                                 must pass), then on every broken copy (each must fail as its case expects);
//                                 prints a summary, exits 1 when anything is not as expected
// Resolved copies (out/<name>.resolved.json) are written by ResolveMain in between.
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { validateFiles, describe } = require('./validate');
const cases = require('./broken/cases');

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..', '..');
const TEMPLATE = path.join(ROOT, 'template.yaml');
const RULES = path.join(HERE, 'conveyor.guard');
const OUT = path.join(HERE, 'out');
const BROKEN = path.join(HERE, 'broken');
const FAILING = ['ERROR', 'FATAL'];
// Rules that must have applied (PASS, not SKIP) to template.yaml, and those to its resolved copy.
const MUST_APPLY = ['consumed_queues_have_a_dead_letter_queue', 'sqs_events_report_batch_item_failures',
  'iam_statements_name_their_actions_and_resources'];
const MUST_APPLY_RESOLVED = [...MUST_APPLY, 'queue_visibility_is_six_times_the_consumer_timeout'];

function resolvedPath(file) {
  return path.join(OUT, path.basename(file).replace(/\.ya?ml$/, '') + '.resolved.json');
}

function guardBinary() {
  const os = { linux: 'ubuntu', darwin: 'macos' }[process.platform];
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch];
  const binary = path.join(HERE, 'node_modules', '@cdklabs', 'cdk-validator-cfnguard', 'bin', os || '?', arch || '?',
    'cfn-guard');
  if (!fs.existsSync(binary)) {
    throw new Error(`no cfn-guard for ${process.platform}/${process.arch} at ${binary}`);
  }
  return binary;
}

/** Runs cfn-guard: {status: {rule: PASS|FAIL|SKIP}, output}. */
function guard(file) {
  let output;
  try {
    output = execFileSync(guardBinary(), ['validate', '--rules', RULES, '--data', file, '--show-summary', 'all'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.status !== 19) { // 19: some rule failed; anything else: guard could not evaluate
      throw new Error(`cfn-guard failed on ${file} (exit ${e.status}): ${e.stderr || ''}${e.stdout || ''}`);
    }
    output = e.stdout;
  }
  const status = {};
  for (const m of output.matchAll(/^conveyor\.guard\/(\S+)\s+(PASS|FAIL|SKIP)\s*$/gm)) status[m[1]] = m[2];
  if (Object.keys(status).length === 0) throw new Error(`cfn-guard said nothing about its rules on ${file}:\n${output}`);
  return { status, output };
}

function rel(file) {
  return path.relative(ROOT, file);
}

function writeBroken() {
  const template = fs.readFileSync(TEMPLATE, 'utf8');
  fs.mkdirSync(BROKEN, { recursive: true });
  for (const c of cases) {
    let text = template;
    for (const edit of c.edits) {
      if (text.split(edit.find).length !== 2) {
        throw new Error(`broken case ${c.name}: template.yaml no longer has exactly one\n${edit.find}` +
          'update broken/cases.js');
      }
      text = text.replace(edit.find, () => edit.replace);
    }
    const file = path.join(BROKEN, `${c.name}.yaml`);
    fs.writeFileSync(file, `# Broken on purpose (tools/template-checks/broken/cases.js): ${c.why}.\n${text}`);
    console.log(file);
  }
}

function check() {
  const problems = [];
  let items = 0;
  const lines = [];
  const brokenFile = (c) => path.join(BROKEN, `${c.name}.yaml`);

  // AWS's validator: template.yaml, then the copies broken for it.
  const validatorCases = cases.filter((c) => c.expect.validator);
  const validated = validateFiles([TEMPLATE, ...validatorCases.map(brokenFile)]);
  const main = validated[0];
  main.findings.forEach((f) => lines.push(`    ${f.text}`));
  items++;
  if (main.findings.length > 0) problems.push(`the validator rejects template.yaml`);
  lines.unshift(`  cfn-validate  template.yaml: ${describe(main)}`);

  // cfn-guard: template.yaml and its resolved copy.
  for (const [file, mustApply] of [[TEMPLATE, MUST_APPLY], [resolvedPath(TEMPLATE), MUST_APPLY_RESOLVED]]) {
    items++;
    const { status, output } = guard(file);
    const failed = Object.keys(status).filter((r) => status[r] === 'FAIL');
    const skipped = mustApply.filter((r) => status[r] !== 'PASS');
    lines.push(`  cfn-guard     ${rel(file)}: ${Object.values(status).filter((s) => s === 'PASS').length} passed, ` +
      `${failed.length} failed, ${Object.values(status).filter((s) => s === 'SKIP').length} not applicable`);
    if (failed.length > 0) {
      problems.push(`cfn-guard: ${rel(file)} breaks ${failed.join(', ')}`);
      lines.push(output);
    }
    if (skipped.length > 0 && failed.length === 0) {
      problems.push(`cfn-guard: on ${rel(file)} these rules did not apply: ${skipped.join(', ')}`);
    }
  }

  // The broken copies: each must be rejected, by the check and rule its case names.
  lines.push('  broken copies (each must be rejected):');
  for (const c of cases) {
    items++;
    const file = brokenFile(c);
    let verdict;
    let ok;
    if (c.expect.validator) {
      const r = validated[1 + validatorCases.indexOf(c)];
      const hits = r.findings.filter((f) => f.ruleId === c.expect.validator && FAILING.includes(f.severity));
      const others = [...new Set(r.findings.filter((f) => f.ruleId !== c.expect.validator).map((f) => f.ruleId))];
      ok = hits.length > 0 && others.length === 0;
      verdict = ok ? `rejected by the validator: ${hits[0].text.replace(/^\S+ /, '')}`
        : hits.length > 0 ? `rejected, but the validator also found ${others.join(', ')}: the case is not precise`
          : `NOT rejected: the validator found ${r.findings.map((f) => f.ruleId).join(', ') || 'nothing'}`;
    } else {
      const raw = guard(file).status;
      const resolved = guard(resolvedPath(file)).status;
      const failed = new Set([...Object.keys(raw).filter((r) => raw[r] === 'FAIL'),
        ...Object.keys(resolved).filter((r) => resolved[r] === 'FAIL')]);
      const where = [raw[c.expect.guard] === 'FAIL' ? 'template' : null,
        resolved[c.expect.guard] === 'FAIL' ? 'resolved copy' : null].filter(Boolean).join(' and ');
      const others = [...failed].filter((r) => r !== c.expect.guard);
      ok = failed.has(c.expect.guard) && others.length === 0;
      verdict = ok ? `rejected by cfn-guard rule ${c.expect.guard} (on the ${where})`
        : failed.has(c.expect.guard) ? `rejected, but also by ${others.join(', ')}: the case is not precise`
          : `NOT rejected by ${c.expect.guard}` + (failed.size ? ` (failed: ${[...failed].join(', ')})` : '');
    }
    if (verdict.length > 170) verdict = `${verdict.slice(0, 167)}...`;
    lines.push(`    ${ok ? 'ok  ' : 'FAIL'} ${c.name}: ${verdict}`);
    if (!ok) problems.push(`broken copy ${c.name}: ${verdict}`);
  }

  console.log('Template checks');
  lines.forEach((l) => console.log(l));
  problems.forEach((p) => console.log(`  problem: ${p}`));
  console.log(`template-checks: ${items - problems.length} passed, ${problems.length} failed`);
  process.exit(problems.length === 0 ? 0 : 1);
}

const command = process.argv[2];
if (command === 'write-broken') {
  writeBroken();
} else if (command === 'check') {
  check();
} else {
  console.error('usage: checks.js write-broken | check');
  process.exit(2);
}
