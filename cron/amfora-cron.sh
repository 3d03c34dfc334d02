#!/usr/bin/env bash
# Wrapper for cron: runs `amfora run` with the site's config, logs everything to a dated file,
# and prints (so cron mails) only what a person must see: nothing on a good Friday, the short
# summary when something needs a person, and the error when the job could not work.
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
{
    echo "=== $(date -Is) amfora run --config $CONFIG"
    "$AMFORA" run --config "$CONFIG"
} >> "$log" 2>&1
status=$?
echo "=== $(date -Is) exit $status" >> "$log"
case $status in
    0) ;;                                    # all done, nothing needs a person: no mail
    1) echo "amfora: the batch is done but needs a person (log: $log)"
       sed -n '/^amfora batch/,$p' "$log" | tail -n 40 ;;
    2) if tail -n 5 "$log" | grep -q "holds the warehouse lock"; then
           echo "amfora: an earlier run is still going; this pass did nothing (log: $log)"
       else
           echo "amfora: the job could not do its work (log: $log)"
           tail -n 20 "$log"
       fi ;;
    *) echo "amfora: stopped abnormally with status $status (log: $log)"; tail -n 20 "$log" ;;
esac
exit $status
