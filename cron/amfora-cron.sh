#!/usr/bin/env bash
# Wrapper for cron: runs `amfora run` with the site's config, logs everything to a dated file,
# and prints — so cron mails — exactly what amfora printed: on the first pass of a Friday the
# short summary (headline first, one line per thing a person must act on, the report's path
# last), on a catch-up pass only what is new (nothing at all when nothing is), and the error
# when the job could not work. Nothing is cut: amfora keeps its summary short itself.
#
# The run takes the warehouse lock itself (flock, released if the process dies), so a catch-up
# pass that starts while the main run is still going is turned away with exit 2 and a message
# saying who holds the lock; this wrapper reports that as "still running", not as a failure.
set -uo pipefail
AMFORA=${AMFORA:-/opt/amfora/bin/amfora}
CONFIG=${AMFORA_CONFIG:-/etc/amfora/amfora.conf}
LOGDIR=${AMFORA_LOGDIR:-/var/log/amfora}
umask 077                                    # logs and the warehouse are personal data
mkdir -p "$LOGDIR"
log="$LOGDIR/amfora-$(TZ=Europe/Copenhagen date +%Y-%m-%d).log"
out=$(mktemp "$LOGDIR/.out.XXXXXX") err=$(mktemp "$LOGDIR/.err.XXXXXX")
trap 'rm -f "$out" "$err"' EXIT
echo "=== $(date -Is) amfora run --config $CONFIG" >> "$log"
"$AMFORA" run --config "$CONFIG" > "$out" 2> "$err"
status=$?
cat "$out" "$err" >> "$log"
echo "=== $(date -Is) exit $status" >> "$log"
case $status in
    0|1) cat "$out" ;;                       # what amfora says; exit 1 means a person is needed
    2) if grep -q "holds the warehouse lock" "$err"; then
           echo "amfora: an earlier run is still going; this pass did nothing (log: $log)"
       else
           echo "amfora: the job could not do its work (log: $log)"
           cat "$err"
       fi ;;
    *) echo "amfora: stopped abnormally with status $status (log: $log)"; tail -n 20 "$err" ;;
esac
exit $status
