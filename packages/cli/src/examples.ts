/**
 * The examples `savevm COMMAND --help` ends with, by command name. Every command in
 * commands/index.ts has some (a test checks it).
 */
const EXAMPLES: Record<string, string[]> = {
  inspect: [
    "savevm inspect vm.mig                      # summary: configuration, sections, RAM by kind, devices",
    "savevm inspect vm.save --json | jq .libvirt  # the summary as JSON (libvirt header, XML name and UUID)",
    "savevm inspect vm.mig --state              # only the device state, shaped like analyze-migration.py -d state",
    "savevm inspect vm.mig --desc               # the vmdesc trailer, like analyze-migration.py -d desc",
    "savevm inspect vm.mig.gz --extract ram/    # one raw file per RAM block, as analyze-migration.py -x",
    "gunzip -c vm.mig.gz | savevm inspect -     # from standard input",
  ],
  check: [
    "savevm check vm.mig                         # one line per problem, then a count; exit status 1 if any",
    "savevm check vm.save --json                 # a libvirt save image: the stream inside, as JSON",
    "savevm check vm.mig --ram-block pc.ram=1G   # also compare RAM block sizes with the loading machine's",
  ],
  convert: [
    "savevm convert vm.mig.gz vm.mig                            # the same bytes as gunzip",
    "savevm convert vm.save vm.mig --to qemu                    # unwrap a libvirt save image",
    "savevm convert vm.mig vm.save --to libvirt --domain-xml dom.xml --image-format zstd",
    "savevm convert vm.mig vm.mapped --to mapped-ram           # QEMU's fixed-offset layout, sparse where pages are zero",
    "savevm convert vm.mapped vm.mig --to stream                # and back to a plain stream",
  ],
  run: [
    "savevm run --memory 1G --qmp unix:/tmp/vm.qmp --guest rate=50M",
    "savevm run --memory 1G --qmp tcp:127.0.0.1:4444 --incoming defer",
    "savevm run --memory 256M --qmp unix:/tmp/vm.qmp,server=on,wait=off --detach --name vm1",
  ],
  list: ["savevm list", "savevm list --name", "savevm list --json"],
  save: [
    "savevm save web web.save --verbose                 # a registered machine, by name",
    "savevm save unix:/tmp/vm.qmp vm.save --format zstd # QEMU or savevm, by its QMP socket",
    "savevm save hmp:unix:/tmp/vm.hmp vm.save --paused  # through a text monitor",
  ],
  restore: ["savevm restore web.save", "savevm restore vm.save --paused --qmp unix:/tmp/restored.qmp --verbose"],
  "save-image-dumpxml": ["savevm save-image-dumpxml web.save > web.xml"],
  "save-image-define": ["savevm save-image-define web.save web.xml --paused"],
  "save-image-edit": ["savevm save-image-edit web.save   # in $VISUAL or $EDITOR, as virsh does"],
  scan: ["savevm scan guest.ram", "savevm scan guest.ram --page-size 65536 --json"],
  qmp: [
    "savevm qmp unix:/tmp/vm.qmp query-status",
    "savevm qmp unix:/tmp/vm.qmp migrate-set-parameters max-bandwidth=1G   # sizes take K, M, G, T",
    'savevm qmp unix:/tmp/vm.qmp migrate uri=file:/tmp/vm.mig --wait      # a bar until the migration ends',
    "savevm qmp -H unix:/tmp/vm.qmp info status                            # HMP",
    "savevm qmp unix:/tmp/vm.qmp                                           # a shell like qmp-shell",
  ],
  demo: ["savevm demo", "savevm demo --memory 1G --rate 128M --json"],
  playground: ["savevm playground                 # http://127.0.0.1:8080/", "savevm playground --port 0 --no-isolation   # any free port, without COOP/COEP"],
  completion: [
    "savevm completion bash > ~/.local/share/bash-completion/completions/savevm",
    "savevm completion zsh > \"${fpath[1]}/_savevm\"",
    "savevm completion fish > ~/.config/fish/completions/savevm.fish",
  ],
};

export function examplesFor(name: string): string | undefined {
  const lines = EXAMPLES[name];
  return lines ? `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n` : undefined;
}
