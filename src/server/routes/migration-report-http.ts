import { createHash } from "node:crypto";
import type { FastifyReply } from "fastify";
import { reportHtml, reportMarkdown } from "../../core/migration/report.js";

type ReportInput = Parameters<typeof reportHtml>[0];

/**
 * The CSP of the HTML report opened in a browser: nothing may load or run, and only the report's own <style>
 * block applies (by its hash, not 'unsafe-inline'), so the page is styled and still inert.
 */
export function reportPolicy(html: string): string {
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (m) =>
      `'sha256-${createHash("sha256")
        .update(m[1] ?? "")
        .digest("base64")}'`,
  );
  return `default-src 'none'; style-src ${styles.length ? styles.join(" ") : "'none'"}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/** Markdown (as a download named after the migration) or the one self-contained HTML page. */
export function sendReport(
  reply: FastifyReply,
  input: ReportInput,
  format: "md" | "html" | undefined,
  names: { from: string; to: string },
) {
  if (format === "html") {
    const html = reportHtml(input);
    return reply.header("content-security-policy", reportPolicy(html)).type("text/html; charset=utf-8").send(html);
  }
  const file = `migration-${names.from}-to-${names.to}.md`.replace(/[^\w.-]/g, "_");
  return reply
    .header("content-disposition", `attachment; filename="${file}"`)
    .type("text/markdown; charset=utf-8")
    .send(reportMarkdown(input));
}
