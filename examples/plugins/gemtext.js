#!/usr/bin/env node
// A digest renderer in JavaScript: the issue as Gemini "gemtext".
//
//     [renderer.gemini]
//     command = "node examples/plugins/gemtext.js"
//
// `digest export 340 --format gemini` then prints (or writes with -o) a page
// for Gemini capsules: one "=> URL title" line per item, blurbs as text.
// digest sends [context, issue] as JSON on stdin; a renderer prints its
// document on stdout. Node's standard library only.
"use strict";

const PROTOCOL = 1;
const SAFE_URL = /^(https?:|mailto:)/i;

// Gemtext has no inline markup: drop Markdown emphasis, keep link text, and
// make sure no line of ours starts with a gemtext line type by accident.
function plain(markdown) {
  return markdown
    .replace(/!?\[([^\]]*)\]\(([^)\s]*)\)/g, "$1")
    .replace(/(\*\*|__|\*|_|`)/g, "")
    .split("\n")
    .map((line) => line.replace(/^(=>|#|\*\s|>|```)/, " $1"))
    .join("\n")
    .trim();
}

function oneLine(text) {
  return text.replace(/\s+/g, " ").trim();
}

function render(context, issue) {
  const out = [];
  const title = issue.title ? `Issue ${issue.number}: ${oneLine(issue.title)}` : `Issue ${issue.number}`;
  out.push(`# ${title}`, "", issue.date, "");
  if (issue.intro) out.push(plain(issue.intro), "");
  for (const section of issue.sections) {
    if (!section.items.length && !section.notes) continue;
    out.push(`## ${oneLine(section.title)}`, "");
    if (section.notes) out.push(plain(section.notes), "");
    for (const item of section.items) {
      const name = oneLine(item.title) || item.url;
      if (SAFE_URL.test(item.url)) out.push(`=> ${item.url.replace(/\s/g, "%20")} ${name}`);
      else out.push(`### ${name}`);
      if (item.blurb) out.push(plain(item.blurb));
      out.push("");
    }
  }
  const site = context.config.title ? `${oneLine(context.config.title)}` : "";
  if (site) out.push(`> ${site}`);
  return out.join("\n").replace(/\n+$/, "") + "\n";
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const [context, issue] = JSON.parse(input);
  if (context.protocol !== PROTOCOL) {
    process.stderr.write(`gemtext.js speaks protocol ${PROTOCOL}, digest sent ${context.protocol}\n`);
    process.exit(2);
  }
  process.stdout.write(render(context, issue));
});
