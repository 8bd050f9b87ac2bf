#!/bin/sh
# Runs built fuzz targets for fuzz/Makefile.
#   run.sh run     OUT FUZZ SECONDS TARGET...  fuzz each target, one summary line each
#   run.sh smoke   OUT FUZZ SECONDS TARGET     replay regressions, then a short run (CTest)
#   run.sh regress OUT FUZZ 0 TARGET...        replay the seeds and regressions only
# libFuzzer writes new inputs into its first corpus folder only: that is
# OUT/work/<target>, so the committed seeds (FUZZ/corpus/<target>) stay as
# they are. Crash inputs land in OUT/artifacts/<target>/.
set -u
mode=$1
out=$2
fuzz=$3
secs=$4
shift 4

# Every file of regressions/<target>, run once; a crash fails the replay.
replay() {
    files=$(find "$@" -type f ! -name '.*' 2>/dev/null | sort)
    [ -z "$files" ] && return 0
    # shellcheck disable=SC2086 # one argument per file name (ours have no spaces)
    "$bin" -runs=1 $files >"$log.replay" 2>&1 || {
        cat "$log.replay"
        echo "$t: a stored input fails (see above)"
        return 1
    }
    echo "$t: replayed $(echo "$files" | wc -l) stored inputs, no failure"
}

# run: -fork=1 -ignore_crashes keeps going after a crash, so the count is the real one.
fuzz_for() {
    start=$(date +%s)
    touch "$out/.start-$t"
    "$bin" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -timeout=10 \
        -max_total_time="$secs" -artifact_prefix="$art" "$work" "$fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    last=$(grep -E '^#[0-9]+: cov' "$log" | tail -1)
    execs=$(echo "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')
    rate=$(echo "$last" | sed -n 's/.*exec\/s \([0-9]*\).*/\1/p')
    otc=$(echo "$last" | sed -n 's/.*oom\/timeout\/crash: \([0-9\/]*\).*/\1/p')
    ooms=$(echo "$otc" | cut -d/ -f1)
    touts=$(echo "$otc" | cut -d/ -f2)
    crashes=$(echo "$otc" | cut -d/ -f3)
    # a crash in the last job can miss the last status line: count the files too
    found=$(find "$art" -type f -name 'crash-*' -newer "$out/.start-$t" | wc -l)
    [ "$found" -gt "${crashes:-0}" ] && crashes=$found
    corpus=$(find "$work" -type f | wc -l)
    printf '%-22s execs=%-10s exec/s=%-7s crashes=%s timeouts=%s ooms=%s corpus=%s time=%ss\n' \
        "$t" "${execs:-?}" "${rate:-?}" "${crashes:-?}" "${touts:-?}" "${ooms:-?}" "$corpus" "$took"
    if [ "$rc" != 0 ] || [ "${crashes:-1}" != 0 ] || [ "${touts:-1}" != 0 ] || [ "${ooms:-1}" != 0 ]; then
        echo "  -> inputs in $art, log $log"
        return 1
    fi
}

status=0
for t in "$@"; do
    bin=$out/$t
    work=$out/work/$t
    art=$out/artifacts/$t/
    log=$out/$t.log
    mkdir -p "$work" "$art"
    case $mode in
    run)
        fuzz_for || status=1
        ;;
    smoke)
        replay "$fuzz/regressions/$t" || status=1
        # not forked: the first crash stops the run and fails the test
        "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
            -artifact_prefix="$art" "$work" "$fuzz/corpus/$t" >"$log" 2>&1 || {
            tail -n 60 "$log"
            echo "$t: FAILED, input saved in $art"
            status=1
        }
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "$t: ${runs:-?} runs in ${secs} s, $( [ $status = 0 ] && echo no failure || echo FAILED)"
        ;;
    regress)
        replay "$fuzz/corpus/$t" "$fuzz/regressions/$t" || status=1
        ;;
    *)
        echo "run.sh: unknown mode $mode" >&2
        exit 2
        ;;
    esac
done
exit $status
