// The report formats by name.

import type { Analysis } from './analysis.ts';
import { formatHtml } from './format-html.ts';
import { formatJunit } from './format-junit.ts';
import { formatMarkdown } from './format-markdown.ts';
import { formatText } from './format-text.ts';

export const REPORT_FORMATS = ['text', 'json', 'markdown', 'junit', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function formatReport(a: Analysis, format: ReportFormat, opts: { colour: boolean }): string {
  switch (format) {
    case 'text':
      return formatText(a, opts.colour);
    case 'json':
      return JSON.stringify(a, null, 2) + '\n';
    case 'markdown':
      return formatMarkdown(a);
    case 'junit':
      return formatJunit(a);
    case 'html':
      return formatHtml(a);
  }
}
