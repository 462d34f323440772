import type { FailOn, Finding, Report, StageResult } from '../findings/types.js';
import { isBreaking } from '../findings/report.js';
import type { RenderOptions } from './index.js';
import { escapeXml } from './charts.js';
import { formatCount } from '../text/format.js';
import { visible } from '../text/escape.js';

/** Attribute values also encode tab and line breaks, which XML parsers would otherwise normalise to spaces. */
function attr(text: string): string {
  return escapeXml(text).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** Element text keeps tabs and its own line breaks (data line breaks are made visible first); a carriage return stays a character reference. */
function body(text: string): string {
  return escapeXml(text).replaceAll('&#10;', '\n');
}

/**
 * The severity threshold the report was built with. The report carries it when a producer adds `failOn`;
 * otherwise it follows from the statuses: an equal stage holding a warning means warnings did not count.
 */
export function failThreshold(report: Report): FailOn {
  const declared = (report as { readonly failOn?: unknown }).failOn;
  if (declared === 'warning' || declared === 'error') return declared;
  const equalStages = new Set(report.stages.filter((s) => s.status === 'equal').map((s) => s.stage));
  return report.findings.some((f) => f.severity === 'warning' && equalStages.has(f.stage)) ? 'error' : 'warning';
}

interface Case {
  readonly xml: string;
  readonly failed: boolean;
  readonly skipped: boolean;
}

/** Element text is read line by line (CI logs print it): data line breaks are shown as `\n`, never kept. */
function findingDetail(f: Finding): string {
  const lines = [`${f.severity}: ${visible(f.message)}`];
  if (f.columns.length) lines.push(`columns: ${f.columns.map(visible).join(', ')}`);
  if (f.rowsAffected !== null) lines.push(`rows affected: ${formatCount(f.rowsAffected)}`);
  if (f.propagatedFrom) lines.push(`propagated from: ${f.propagatedFrom}`);
  if (Object.keys(f.evidence).length) lines.push(`evidence: ${JSON.stringify(f.evidence)}`);
  if (f.sampleKeys.length) lines.push(`sample keys: ${JSON.stringify(f.sampleKeys)}`);
  return lines.join('\n');
}

function findingCase(f: Finding, failOn: FailOn): Case {
  const name = [f.cause, f.columns.join(', ')].filter(Boolean).join(' ');
  const open = `    <testcase classname="reprodiff.${f.stage}" name="${attr(name)}">`;
  const failed = isBreaking(f, failOn);
  const inner = failed ? `      <failure message="${attr(f.message)}" type="${f.cause}">${body(findingDetail(f))}</failure>` : `      <system-out>${body(findingDetail(f))}</system-out>`;
  return { xml: `${open}\n${inner}\n    </testcase>`, failed, skipped: false };
}

function stageCases(stage: StageResult, findings: readonly Finding[], failOn: FailOn): Case[] {
  const classname = `reprodiff.${stage.stage}`;
  if (stage.status === 'skipped') {
    const xml = `    <testcase classname="${classname}" name="${stage.stage} skipped">\n      <skipped message="${attr(stage.reason || 'skipped')}"/>\n    </testcase>`;
    return [{ xml, failed: false, skipped: true }];
  }
  const cases = findings.map((f) => findingCase(f, failOn));
  if (stage.status === 'equal') cases.unshift({ xml: `    <testcase classname="${classname}" name="${stage.stage} reproduces"/>`, failed: false, skipped: false });
  return cases;
}

/** JUnit XML for CI: one testsuite per stage, one testcase per finding, a failure for each finding at or above the threshold. */
export function renderJunit(report: Report, _options: RenderOptions): string {
  const failOn = failThreshold(report);
  const suites = report.stages.map((stage) => {
    const cases = stageCases(
      stage,
      report.findings.filter((f) => f.stage === stage.stage),
      failOn,
    );
    const failures = cases.filter((c) => c.failed).length;
    const skipped = cases.filter((c) => c.skipped).length;
    return {
      cases,
      failures,
      skipped,
      xml: [`  <testsuite name="${stage.stage}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`, ...cases.map((c) => c.xml), '  </testsuite>'].join('\n'),
    };
  });
  const tests = suites.reduce((a, s) => a + s.cases.length, 0);
  const failures = suites.reduce((a, s) => a + s.failures, 0);
  const skipped = suites.reduce((a, s) => a + s.skipped, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="reprodiff" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}
