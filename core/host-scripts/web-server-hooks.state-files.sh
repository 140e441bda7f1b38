# shellcheck shell=bash
# Makes the state folder and writes each state file from the unit's state now: a unit that is already
# running never runs its new ExecStartPost.
systemd-tmpfiles --create @TMPFILES_PATH@
# shellcheck disable=SC2034 # read by the lines of @WRITE_STATE_FILES@
if systemctl is-active --quiet @WEB_SERVICE@; then running=yes; else running=no; fi
@WRITE_STATE_FILES@
