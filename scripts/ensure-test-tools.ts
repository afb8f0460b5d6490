// `npm test`'s pretest: the programs the suite drives besides what `npm ci` brings. A missing one is
// installed from Debian's packages when this runs as root with apt-get (a fresh machine or CI);
// otherwise it stops with one line saying what to install or which variable to set, so no test has
// to be skipped for want of it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

interface Tool {
  name: string;
  /** The test file that drives it, named in the message. */
  neededBy: string;
  /** Names another binary to use instead; the test reads the same variable. */
  variable: string;
  defaultPath: string;
  /** The Debian packages that install it at `defaultPath`, the first one named in messages. */
  debianPackages: string[];
}

const TOOLS: Tool[] = [
  {
    name: 'Chromium',
    neededBy: 'test/e2e/docs-page.test.ts',
    variable: 'CHROMIUM_PATH',
    defaultPath: '/usr/bin/chromium',
    // Installed without recommends, which would bring udev, upower, printing and a systemd upgrade
    // to a machine that only needs headless Chromium; the fonts are the recommend the page shows.
    debianPackages: ['chromium', 'fonts-liberation'],
  },
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function stop(line: string): never {
  console.error(`pretest: ${line}`);
  process.exit(1);
}

/** Runs apt-get quietly; on failure shows the end of its output, then stops. */
function aptGet(args: string[], what: string): void {
  const run = spawnSync('apt-get', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status === 0) return;
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trimEnd().split('\n').slice(-15).join('\n');
  if (output) console.error(output);
  stop(`apt-get ${args.join(' ')} failed (${run.error?.message ?? `exit ${run.status}`}); ${what}`);
}

function canInstall(): boolean {
  return process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Installs the Debian packages of `wanted` and checks that each landed where its test looks. */
function install(wanted: Tool[]): void {
  const packages = wanted.flatMap((tool) => tool.debianPackages).join(' ');
  console.log(`pretest: installing ${packages} with apt-get (for ${wanted.map((t) => t.neededBy).join(', ')})`);
  aptGet(['update', '-q'], `could not install ${packages}`);
  aptGet(
    ['install', '-y', '-q', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...packages.split(' ')],
    `could not install ${packages}`,
  );
  const still = wanted.filter((tool) => !executable(tool.defaultPath));
  if (still.length > 0)
    stop(`apt-get installed ${packages} but ${still.map((t) => t.defaultPath).join(', ')} is missing`);
}

const wanted = TOOLS.filter((tool) => !executable(process.env[tool.variable] ?? tool.defaultPath));
// A variable pointing at nothing is the user's choice to fix, not a package to install.
for (const tool of wanted) {
  const chosen = process.env[tool.variable];
  if (chosen) stop(`${tool.variable}=${chosen} is not an executable ${tool.name}; fix or unset it (${tool.neededBy})`);
}
if (wanted.length > 0 && !canInstall()) {
  const advice = wanted.map(
    (t) => `${t.name} for ${t.neededBy}: install Debian's ${t.debianPackages[0]} or set ${t.variable}`,
  );
  stop(
    `npm test needs ${advice.join('; ')} (as root: apt-get install ${wanted.flatMap((t) => t.debianPackages).join(' ')})`,
  );
}
if (wanted.length > 0) install(wanted);
