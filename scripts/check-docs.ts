// The docs check of `npm run lint`: the README and docs/ may not point at anything that is not there, and the
// configuration page lists exactly the variables the service reads.
//
//   links        every relative link and image in a checked page resolves to a file of the repository, and a
//                `#fragment` to a heading of its target page (GitHub's anchor for it)
//   paths        every repository path in inline code or a code block exists; a path counts as one when its
//                first segment is a top-level folder of the repository (`service/`, `deploy/`, `test/` …);
//                `<name>` and `*` in a segment stand for any entry; `service/dist/X.js` is checked as its
//                source `service/src/X.ts` (and `service/dist` as `service/src`): dist/ is built, not committed
//   variables    the names in the first column of docs/configuration.md's tables are exactly the names
//                service/src/config.ts reads: the keys of its `z.object({...})` schemas and `env.X` reads;
//                and docker-compose.yml passes the service's image only variables config.ts reads
//   code map     every file and folder at the top of service/src/ is named in docs/architecture.md
//   shape        lines ≤ 110 characters; README.md ≤ 250 lines
//
// usage: node --import tsx scripts/check-docs.ts [REPOSITORY_ROOT]   (exit 1 and one line per problem)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';

const MAX_LINE = 110;
const README_MAX_LINES = 250;
const CONFIG_SOURCE = 'service/src/config.ts';
const CONFIG_PAGE = 'docs/configuration.md';
const SOURCE_FOLDER = 'service/src';
const ARCHITECTURE_PAGE = 'docs/architecture.md';
const COMPOSE_FILE = 'docker-compose.yml';
const SERVICE_IMAGE = 'flipstack-service:';
// Path roots even when the folder is gone (a path into a deleted folder is stale too), besides every top folder.
const PATH_ROOTS = ['service', 'deploy', 'nginx', 'loadtest', 'test', 'monitoring', 'docs', 'scripts'];

/** The pages the check reads, relative to the repository root: README.md, loadtest/README.md and docs/**.md. */
function checkedPages(root: string): string[] {
  const pages = ['README.md', 'loadtest/README.md'].filter((page) => existsSync(join(root, page)));
  const walk = (folder: string): void => {
    if (!existsSync(join(root, folder))) return;
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) pages.push(path);
    }
  };
  walk('docs');
  return pages.sort();
}

/** Every problem found, as `page:line: message`; none means the docs are sound. */
export function checkDocs(root: string): string[] {
  const problems: string[] = [];
  const topFolders = new Set([
    ...PATH_ROOTS,
    ...readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
      .map((entry) => entry.name),
  ]);
  for (const page of checkedPages(root)) {
    const text = readFileSync(join(root, page), 'utf8');
    const lines = text.replace(/\n$/, '').split('\n');
    const report = (line: number, message: string) => problems.push(`${page}:${line}: ${message}`);
    if (page === 'README.md' && lines.length > README_MAX_LINES) {
      report(lines.length, `README.md has ${lines.length} lines, over ${README_MAX_LINES}`);
    }
    lines.forEach((line, index) => {
      const length = [...line].length;
      if (length > MAX_LINE) report(index + 1, `line of ${length} characters, over ${MAX_LINE}`);
    });
    for (const { line, target } of linksOf(lines)) {
      const problem = brokenLink(root, page, target);
      if (problem) report(line, problem);
    }
    for (const { line, path } of pathsOf(lines, topFolders)) {
      if (!pathExists(root, path)) report(line, `\`${path}\` does not exist`);
    }
  }
  problems.push(...variableProblems(root), ...codeMapProblems(root));
  return problems;
}

/** `ls service/src` and the architecture page show the same parts. */
function codeMapProblems(root: string): string[] {
  if (!existsSync(join(root, ARCHITECTURE_PAGE))) return [`${ARCHITECTURE_PAGE}: missing`];
  const page = readFileSync(join(root, ARCHITECTURE_PAGE), 'utf8');
  return readdirSync(join(root, SOURCE_FOLDER), { withFileTypes: true })
    .map((entry) => `${SOURCE_FOLDER}/${entry.name}${entry.isDirectory() ? '/' : ''}`)
    .filter((path) => !page.includes(`\`${path}\``))
    .map((path) => `${ARCHITECTURE_PAGE}: its code map does not name \`${path}\``);
}

interface Line {
  /** 1-based line number. */
  line: number;
  text: string;
  /** Inside a fenced code block. */
  fenced: boolean;
}

function classify(lines: string[]): Line[] {
  let fence: string | undefined;
  return lines.map((text, index) => {
    const marker = /^\s*(```+|~~~+)/.exec(text)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return { line: index + 1, text, fenced: true };
    }
    return { line: index + 1, text, fenced: fence !== undefined };
  });
}

const CODE_SPAN = /(`+)([^`]|[^`].*?[^`])\1(?!`)/g;

/** Links and images outside code: `[text](target)`, `![alt](target "title")` and `[label]: target`. */
function linksOf(lines: string[]): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  for (const { line, text, fenced } of classify(lines)) {
    if (fenced) continue;
    const prose = text.replace(CODE_SPAN, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line, target: match[1]! });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose);
    if (definition) links.push({ line, target: definition[1]! });
  }
  return links;
}

function brokenLink(root: string, page: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: … : not the repository's
  const [pathPart = '', fragment] = target.split('#', 2);
  const path = decodeURIComponent(pathPart);
  const file = path === '' ? join(root, page) : resolve(root, dirname(page), path);
  const inRepository = relative(root, file);
  if (inRepository.startsWith('..') || inRepository.startsWith(sep)) {
    return `link ${target} leaves the repository`;
  }
  if (!existsSync(file)) return `link ${target}: no such file`;
  if (fragment === undefined) return undefined;
  if (!file.endsWith('.md') || statSync(file).isDirectory()) return `link ${target}: an anchor needs a .md page`;
  const anchors = headingAnchors(readFileSync(file, 'utf8'));
  return anchors.has(decodeURIComponent(fragment)) ? undefined : `link ${target}: no heading with that anchor`;
}

/** The anchors GitHub gives a page's headings (lower case, punctuation dropped, spaces to hyphens, -1 …). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text, fenced } of classify(markdown.split('\n'))) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (fenced || !heading) continue;
    const plain = heading[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/`/g, '')
      .replace(/\*+/g, '');
    const base = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

// A path starts at a line's start, after a space, quote, bracket or `=`, so `../x/y` and `a://b/c` never match.
const PATH = /(?<![\w./:$~-])([A-Za-z0-9_][\w.-]*(?:\/[\w.<>*-]+)*\/?)/g;

/** Repository paths named in inline code and in code blocks. */
function pathsOf(lines: string[], topFolders: Set<string>): { line: number; path: string }[] {
  const paths: { line: number; path: string }[] = [];
  for (const { line, text, fenced } of classify(lines)) {
    const code = fenced ? [text] : [...text.matchAll(CODE_SPAN)].map((match) => match[2]!);
    for (const snippet of code) {
      for (const match of snippet.matchAll(PATH)) {
        const path = match[1]!.replace(/[.]+$/, '');
        const first = path.split('/')[0]!;
        if (path.includes('/') && topFolders.has(first)) paths.push({ line, path });
      }
    }
  }
  return paths;
}

function pathExists(root: string, path: string): boolean {
  const source = path.replace(/^service\/dist(?=\/|$)/, 'service/src').replace(/^(service\/src\/.+)\.js$/, '$1.ts');
  const segments = source.split('/').filter((segment) => segment !== '');
  let candidates = [root];
  for (const segment of segments) {
    const pattern = /[<*]/.test(segment) ? wildcard(segment) : undefined;
    candidates = candidates.flatMap((folder) => {
      if (!pattern) return existsSync(join(folder, segment)) ? [join(folder, segment)] : [];
      if (!existsSync(folder) || !statSync(folder).isDirectory()) return [];
      return readdirSync(folder)
        .filter((entry) => pattern.test(entry))
        .map((entry) => join(folder, entry));
    });
  }
  return candidates.length > 0;
}

function wildcard(segment: string): RegExp {
  const parts = segment
    .split(/(<[^>]*>|\*)/)
    .map((part) => (part === '*' || part.startsWith('<') ? '.+' : escape(part)));
  return new RegExp(`^${parts.join('')}$`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function variableProblems(root: string): string[] {
  if (!existsSync(join(root, CONFIG_PAGE))) return [`${CONFIG_PAGE}: missing`];
  const read = configVariables(readFileSync(join(root, CONFIG_SOURCE), 'utf8'));
  if (read.problems.length > 0) return read.problems.map((problem) => `${CONFIG_SOURCE}: ${problem}`);
  const documented = documentedVariables(readFileSync(join(root, CONFIG_PAGE), 'utf8'));
  const problems: string[] = [];
  for (const name of read.names) {
    if (!documented.has(name)) problems.push(`${CONFIG_PAGE}: ${name} is read by ${CONFIG_SOURCE} but not listed`);
  }
  for (const [name, line] of documented) {
    if (read.names.has(name)) continue;
    problems.push(`${CONFIG_PAGE}:${line}: ${name} is listed but ${CONFIG_SOURCE} never reads it`);
  }
  return [...problems, ...composeProblems(root, read.names)];
}

interface ComposeService {
  image?: string;
  environment?: Record<string, unknown> | string[];
}

/** A variable the compose file hands the service's image that config.ts does not read is a stale name. */
function composeProblems(root: string, read: Set<string>): string[] {
  if (!existsSync(join(root, COMPOSE_FILE))) return [];
  const compose = parse(readFileSync(join(root, COMPOSE_FILE), 'utf8'), { merge: true }) as {
    services?: Record<string, ComposeService>;
  };
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services ?? {})) {
    if (!service.image?.startsWith(SERVICE_IMAGE)) continue;
    const environment = service.environment ?? {};
    const variables = Array.isArray(environment)
      ? environment.map((entry) => entry.split('=')[0]!)
      : Object.keys(environment);
    for (const variable of variables.filter((variable) => !read.has(variable))) {
      problems.push(`${COMPOSE_FILE}: service ${name} passes ${variable}, which ${CONFIG_SOURCE} never reads`);
    }
  }
  return problems;
}

/**
 * The environment variables a config module reads: the keys of every `z.object({...})` / `.extend({...})`
 * literal and every `env.NAME`, `env['NAME']` or `process.env.NAME`. A schema key the parser cannot name (a
 * spread, a computed key) is a problem, so the list is never silently short.
 */
export function configVariables(source: string): { names: Set<string>; problems: string[] } {
  const file = ts.createSourceFile(CONFIG_SOURCE, source, ts.ScriptTarget.Latest, true);
  const names = new Set<string>();
  const problems: string[] = [];
  const where = (node: ts.Node) => `line ${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const isEnv = (node: ts.Expression) => node.getText(file) === 'env' || node.getText(file) === 'process.env';
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const callee = node.expression;
      const schema =
        (callee.name.text === 'object' && callee.expression.getText(file) === 'z') || callee.name.text === 'extend';
      const shape = node.arguments[0];
      if (schema && shape && ts.isObjectLiteralExpression(shape)) {
        for (const property of shape.properties) {
          const name = property.name;
          if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name))) names.add(name.text);
          else problems.push(`${where(property)}: a schema key that is not a plain name`);
        }
      }
    }
    if (ts.isPropertyAccessExpression(node) && isEnv(node.expression)) names.add(node.name.text);
    // `env[name]` with a computed name (the error message echoing a schema key) names no variable of its own.
    if (ts.isElementAccessExpression(node) && isEnv(node.expression) && ts.isStringLiteral(node.argumentExpression)) {
      names.add(node.argumentExpression.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { names, problems };
}

/** Names in the first column of the page's tables, with the line each is on. */
function documentedVariables(markdown: string): Map<string, number> {
  const names = new Map<string, number>();
  for (const { line, text, fenced } of classify(markdown.split('\n'))) {
    const firstCell = /^\s*\|([^|]*)\|/.exec(text)?.[1];
    if (fenced || firstCell === undefined) continue;
    for (const match of firstCell.matchAll(CODE_SPAN)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(match[2]!)) names.set(match[2]!, line);
    }
  }
  return names;
}

if (require.main === module) {
  const root = resolve(process.argv[2] ?? '.');
  const problems = checkDocs(root);
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  if (problems.length > 0) {
    process.stderr.write(`docs check: ${problems.length} problem(s)\n`);
    process.exit(1);
  }
  process.stdout.write(`docs check: ${checkedPages(root).length} pages, no problems\n`);
}
