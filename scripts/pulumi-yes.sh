#!/usr/bin/env bash
# keepalived-ha's `pulumi`: the pinned CLI, except that `pulumi up --yes` and `pulumi destroy --yes` skip the
# preview the CLI would run first. With --yes nobody reviews that preview before the update starts; it only
# runs the program, and the providers' diffs, once more (3.5 s of a 7 s no-change `up` on 2 cores). The
# update shows the same plan, step by step, and the program refuses bad input before any resource either
# way. Pulumi's Automation API runs its `up` the same way. To preview first anyway, add `--skip-preview=false`
# or set KEEPALIVED_HA_PREVIEW_FIRST=1. scripts/toolchain.sh installs this file with the CLI's path filled in.
real="@REAL_PULUMI@"
if [[ "${KEEPALIVED_HA_PREVIEW_FIRST:-}" != 1 && -z "${PULUMI_OPTION_SKIP_PREVIEW:-}" ]]; then
  command="" yes=false previous=""
  for arg in "$@"; do
    [[ "$arg" == "--" ]] && break
    case "$arg" in
      -y | --yes | --yes=true) yes=true ;;
      # The user chose about the preview (or a plan, which needs one): leave it to the CLI.
      --skip-preview* | -f | --plan* | --strict* | --preview-only*) command="-"; break ;;
      -*) ;;
      *)
        # The first word that is not the value of a global flag is the command.
        if [[ -z "$command" && ! "$previous" =~ ^(-C|--cwd|--color|-v|--verbose|--tracing|--profiling|--memprofilerate)$ ]]; then
          command="$arg"
        fi
        ;;
    esac
    previous="$arg"
  done
  if [[ "$yes" == true && "$command" =~ ^(up|update|destroy|down)$ ]]; then
    # An environment option, not a flag, so an explicit --skip-preview=false (or --plan) still wins.
    export PULUMI_OPTION_SKIP_PREVIEW=true
  fi
fi
exec "$real" "$@"
