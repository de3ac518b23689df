#!/usr/bin/env bash
# kill-resume.sh — the "kill -9 during --save, then --resume" experiment.
#
# Trains Specs/lenet5.cnn.yaml on cnnc's built-in digits (fixed --seed, one
# thread, adam, EPOCHS epochs of ~1.3 s) uninterrupted once as the reference,
# then, per trial: starts the same run with --save into a fresh folder,
# kill -9s it at a random moment biased towards the end-of-epoch saves, runs
# the same command with --resume, and compares the final weights with the
# reference's byte for byte. Each trial is one of
#   bit-exact          resume finished, weights identical to the reference
#   refused cleanly    resume exited 1..127 with an error message, no crash
#   before first save  no weights existed yet; what --resume did is recorded
#   finished           the run had saved its last epoch before the kill
#   WRONG              rc 0 with other weights, a crash/trap/signal/timeout,
#                      or the model executable outliving its killed cnnc
# Stray .tmp files beside the save after the kill, and whether the resumed
# run removed them, are recorded too (plus cnnc-data-* staging folders).
#
# Usage:  Tools/hardening/kill-resume.sh [TRIALS=40] [SEED=1]
# Environment:
#   KILL=parent  kill -9 the cnnc process (default); its model executable
#                must stop on its own (ParentWatch: within ~0.25 s)
#   KILL=child   kill -9 the model executable (the process writing the files),
#                a few ms after a .tmp file of a save appears
#   KILL=rename  kill the model executable with SIGKILL exactly at its K-th
#                rename(2) (strace fault injection; the rename is not done),
#                K cycling over every rename of the run: each gap between two
#                renames of every save is hit deterministically
#   EPOCHS=4  CNNC=.build/release/cnnc  SPEC=Specs/lenet5.cnn.yaml
#   WORK=/tmp/kill-resume.XXXXXX (kept afterwards, for inspection)
# Exit status: 0 when no trial is WRONG, 1 otherwise, 2 on a setup failure.
# Every wait has a deadline; nothing here can hang.

set -u -o pipefail

TRIALS=${1:-40}
SEED=${2:-1}
KILL=${KILL:-parent}
EPOCHS=${EPOCHS:-4}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CNNC=${CNNC:-$ROOT/.build/release/cnnc}
SPEC=${SPEC:-$ROOT/Specs/lenet5.cnn.yaml}
WORK=${WORK:-$(mktemp -d /tmp/kill-resume.XXXXXX)}
TRAIN_SEED=7
ARGS=(train "$SPEC" --epochs "$EPOCHS" --seed "$TRAIN_SEED" --threads 1 --optimizer adam)

case $KILL in parent|child|rename) ;; *) echo "KILL must be parent, child or rename" >&2; exit 2 ;; esac
[[ $TRIALS =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ ]] || { echo "usage: $0 [TRIALS] [SEED]" >&2; exit 2; }
if [[ $KILL == rename ]] && ! command -v strace >/dev/null; then echo "KILL=rename needs strace" >&2; exit 2; fi
if [[ ! -x $CNNC ]]; then
    echo "building cnnc (swift build -c release --product cnnc) ..."
    (cd "$ROOT" && timeout 3600 swift build -c release --product cnnc) || { echo "cannot build cnnc" >&2; exit 2; }
fi

mkdir -p "$WORK/tmp"
export TMPDIR=$WORK/tmp          # cnnc's staging folders (cnnc-data-PID-N) land here, where we can see them
RANDOM=$SEED
T0=$EPOCHREALTIME
mkfifo "$WORK/.never"
exec {NEVER}<>"$WORK/.never"     # nothing is ever written: read -t on it is a fork-free sleep
nap() { read -r -t "$1" -u "$NEVER" _; return 0; }
now() { echo "$EPOCHREALTIME"; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
rand() { R=$(( ((RANDOM << 15) | RANDOM) % $1 )); }   # R in 0..<$1, from the seeded $RANDOM
log_has() { local c=""; read -r -d '' c 2>/dev/null <"$1"; [[ $c == *"$2"* ]]; }
# Running and not a zombie (a reparented child may stay a zombie if PID 1 does not reap).
alive() { local l s; read -r l 2>/dev/null <"/proc/$1/stat" || return 1; s=${l##*) }; [[ ${s%% *} != Z ]]; }
children_of() { local c="" c2 f; for f in /proc/"$1"/task/*/children; do c2=""; read -r -d "" c2 2>/dev/null <"$f"; c+=" $c2"; done; echo $c; }
# Wait for pid (started by this shell) to exit, at most $2 s; rc in WRC (kill -9 on overrun: WRC=timeout).
wait_for() {
    local end; end=$(awk -v t="$EPOCHREALTIME" -v d="$2" 'BEGIN { printf "%.6f", t + d }')
    while alive "$1"; do
        if [[ $(awk -v a="$EPOCHREALTIME" -v b="$end" 'BEGIN { print (a > b) }') == 1 ]]; then
            kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; WRC=timeout; return 1
        fi
        nap 0.01
    done
    wait "$1" 2>/dev/null; WRC=$?; return 0
}
tmps() { (shopt -s nullglob dotglob; local f=("$1"/.*.tmp); echo "${#f[@]}"); }
stagings() { (shopt -s nullglob; local f=("$TMPDIR"/cnnc-data-*); echo "${#f[@]}"); }
weights_epoch() { [[ -f $1 ]] || { echo "-"; return; }; head -c 400 "$1" | grep -ao '"epoch":"[0-9]*"' | grep -o '[0-9]\+' || echo "?"; }
history_rows() { [[ -f $1 ]] || { echo "-"; return; }; echo $(( $(wc -l <"$1") - 1 )); }
crashy() { grep -aqiE 'fatal error|illegal instruction|trace/breakpoint|segmentation fault|stack dump|core dumped|was stopped by signal|backtrace' "$1"; }
first_error() { tr '\r' '\n' <"$1" | grep -aiE '^(error|cnnc: error)|error:' | head -1 | cut -c1-230; }

echo "kill-resume: KILL=$KILL trials=$TRIALS seed=$SEED epochs=$EPOCHS work=$WORK"
echo "command: $CNNC ${ARGS[*]} --save DIR/w.safetensors [--resume]"

# --- the reference, twice (it must itself be reproducible), and a planned stop + resume ---
mkdir -p "$WORK/ref/save" "$WORK/ref2/save" "$WORK/planned/save"
t=$EPOCHREALTIME
timeout -k 5 900 "$CNNC" "${ARGS[@]}" --save "$WORK/ref/save/w.safetensors" >"$WORK/ref/run.log" 2>&1 \
    || { echo "reference run failed; see $WORK/ref/run.log" >&2; exit 2; }
REF_SECONDS=$(fsub "$EPOCHREALTIME" "$t")
timeout -k 5 900 "$CNNC" "${ARGS[@]}" --save "$WORK/ref2/save/w.safetensors" >"$WORK/ref2/run.log" 2>&1 \
    && cmp -s "$WORK/ref/save/w.safetensors" "$WORK/ref2/save/w.safetensors" \
    || { echo "the reference is not reproducible (two identical runs differ); the experiment means nothing" >&2; exit 2; }
REF=$WORK/ref/save
EPOCH_SECONDS=$(awk -F, 'NR > 1 { s += $4; n++ } END { printf "%.3f", s / n }' "$REF/w.history.csv")
planned_args=("${ARGS[@]}"); planned_args[3]=$(( EPOCHS / 2 ))
timeout -k 5 900 "$CNNC" "${planned_args[@]}" --save "$WORK/planned/save/w.safetensors" >"$WORK/planned/run.log" 2>&1 &&
timeout -k 5 900 "$CNNC" "${ARGS[@]}" --save "$WORK/planned/save/w.safetensors" --resume >"$WORK/planned/resume.log" 2>&1 &&
cmp -s "$REF/w.safetensors" "$WORK/planned/save/w.safetensors" \
    || { echo "an uninterrupted stop after $(( EPOCHS / 2 )) epochs + --resume is not bit-exact; see $WORK/planned" >&2; exit 2; }
echo "reference: ${REF_SECONDS}s per run (~${EPOCH_SECONDS}s per epoch), reproducible; planned stop at epoch $(( EPOCHS / 2 )) + --resume is bit-exact"

RENAMES=0
if [[ $KILL == rename ]]; then   # how many renames a whole run does (the points K to cycle over)
    mkdir -p "$WORK/count/save"
    "$CNNC" "${ARGS[@]}" --save "$WORK/count/save/w.safetensors" >"$WORK/count/run.log" 2>&1 &
    p=$!; c=""
    for _ in $(seq 3000); do c=$(children_of "$p"); [[ -n $c ]] && break; alive "$p" || break; nap 0.01; done
    [[ -n $c ]] || { echo "no model executable seen" >&2; exit 2; }
    timeout 900 strace -f -qq -p "${c%% *}" -o "$WORK/count/strace.out" -e trace=rename,renameat,renameat2 -e signal=none &
    s=$!
    wait_for "$p" 900; wait_for "$s" 30
    RENAMES=$(grep -c 'rename' "$WORK/count/strace.out")
    echo "a run does $RENAMES renames:"; grep -o '"[^"]*", "[^"]*"' "$WORK/count/strace.out" | sed 's/.*\/\([^/]*\)", ".*\/\([^/]*\)"/  \1 -> \2/' | head -5
    (( RENAMES > 0 )) || { echo "no renames seen" >&2; exit 2; }
fi

printf '%s\n' "trial	kill	at(s)	state after kill (w=weights epoch h=history rows opt/prev tmp)	child stop(s)	resume rc	outcome	tmp cleaned	detail" >"$WORK/results.tsv"
declare -A COUNT=()
# bash reports every kill -9ed job ("Killed ...") on stderr; keep the terminal for the table.
exec 3>&2 2>>"$WORK/shell-stderr.log"
WRONGS=0

for ((i = 1; i <= TRIALS; i++)); do
    d=$WORK/trial-$i; mkdir -p "$d/save"; W=$d/save/w.safetensors
    "$CNNC" "${ARGS[@]}" --save "$W" >"$d/run.log" 2>&1 &
    pid=$!; start=$EPOCHREALTIME; child=""; how=""; killed_at=""; stop=""; note=""
    find_child() { local c; c=$(children_of "$pid"); [[ -n $c ]] && child=${c%% *}; }

    if [[ $KILL == rename ]]; then
        K=$(( (i - 1) % RENAMES + 1 )); how="rename#$K"
        for _ in $(seq 3000); do find_child; [[ -n $child ]] && break; alive "$pid" || break; nap 0.01; done
        if [[ -n $child ]]; then
            timeout 900 strace -f -qq -p "$child" -o "$d/strace.out" -e trace=rename,renameat,renameat2 -e signal=none \
                -e inject=rename,renameat,renameat2:error=EINTR:signal=SIGKILL:when=$K &
            spid=$!
            wait_for "$pid" 300; wait_for "$spid" 30
            killed_at=$(fsub "$EPOCHREALTIME" "$start")
            grep -q 'rename(.*= ?$' "$d/strace.out" || note="(not killed: K beyond the run's renames) "
            last=$(grep -ao 'rename([^)]*' "$d/strace.out" | tail -1 | sed 's/.*\/\([^/"]*\)", ".*\/\([^/"]*\)"/\1 -> \2/')
            note+="killed at: $last; "
        else
            wait_for "$pid" 300; note="no model executable seen"
        fi
    else
        # When to kill: a quarter uniformly over a whole run; the rest around the save of a random epoch e.
        rand 4
        if (( R == 0 )); then
            rand 1000; at=$(awk -v r="$R" -v T="$REF_SECONDS" 'BEGIN { printf "%.3f", r / 1000 * T }')
            how="uniform@${at}s"; nap "$at"; find_child
        else
            rand "$EPOCHS"; e=$(( R + 1 )); how="save$e"
            deadline=$(( ${EPOCHREALTIME%.*} + 120 ))
            tprev=""
            (( e > 1 )) && while ! log_has "$d/run.log" "Epoch $(( e - 1 ))/$EPOCHS" && alive "$pid" && (( ${EPOCHREALTIME%.*} < deadline )); do nap 0.005; done
            tprev=$EPOCHREALTIME
            while ! log_has "$d/run.log" "Epoch $e/$EPOCHS" && alive "$pid" && (( ${EPOCHREALTIME%.*} < deadline )); do nap 0.005; done
            t0=$EPOCHREALTIME; find_child
            # This run's own epoch length (the machine may be busy), else the reference's.
            est=$EPOCH_SECONDS; (( e > 1 )) && est=$(fsub "$t0" "$tprev")
            if [[ $KILL == parent ]]; then
                # The executable notices a dead cnnc up to 0.25 s later: kill cnnc up to 0.3 s before the save.
                rand 300; wait_s=$(awk -v e="$est" -v r="$R" 'BEGIN { w = e - r / 1000; printf "%.3f", (w > 0 ? w : 0) }')
                how+="-${R}ms"; nap "$wait_s"
            else
                # Sleep most of the epoch, then spin (no forks) until a .tmp of the save appears; kill 0-8 ms later.
                # (Everything between seeing the .tmp and the kill is a builtin: a fork costs milliseconds.)
                rand 8000; delay=$(awk -v r="$R" 'BEGIN { printf "%.4f", r / 1000000 }')
                how+="+$(awk -v r="$R" 'BEGIN { printf "%.1f", r / 1000 }')ms"
                nap "$(awk -v e="$est" 'BEGIN { printf "%.3f", e * 0.7 }')"
                shopt -s nullglob dotglob
                spin_end=$(( ${EPOCHREALTIME%.*} + 30 )); seen=""
                while alive "$pid"; do
                    f=("$d"/save/.*.tmp); (( ${#f[@]} )) && { seen=${f[0]##*/}; break; }
                    (( ${EPOCHREALTIME%.*} < spin_end )) || break
                done
                shopt -u nullglob dotglob
                nap "$delay"
                [[ -n $seen ]] && how+="(after ${seen%%.[0-9A-F]*-*}.tmp appeared)" || how+="(no .tmp seen)"
            fi
        fi
        [[ -z $child ]] && find_child
        if ! alive "$pid"; then
            note="the run ended before the kill; "
        elif [[ $KILL == parent ]]; then
            c=$(children_of "$pid"); [[ -n $c ]] && child=${c%% *}   # freshest view, a fork (~1 ms) before the kill
            kill -9 "$pid"; tk=$EPOCHREALTIME
        else
            [[ -n $child ]] || find_child
            if [[ -n $child ]]; then kill -9 "$child"; tk=$EPOCHREALTIME; else kill -9 "$pid"; tk=$EPOCHREALTIME; note="no executable yet: killed cnnc; "; fi
        fi
        killed_at=$(fsub "${tk:-$EPOCHREALTIME}" "$start")
        # The model executable must not outlive its cnnc (ParentWatch polls every 0.25 s).
        if [[ $KILL == parent && -n $child ]]; then
            for _ in $(seq 300); do alive "$child" || break; nap 0.005; done
            stop=$(fsub "$EPOCHREALTIME" "$tk")
            if alive "$child"; then note+="EXECUTABLE $child OUTLIVED cnnc by 1.5 s (killed now); "; kill -9 "$child" 2>/dev/null; stop="alive"; fi
        fi
        wait_for "$pid" 60
        unset tk
    fi

    # What the kill left.
    W_E=$(weights_epoch "$W"); H_R=$(history_rows "$d/save/w.history.csv")
    O="opt=$([[ -f $d/save/w.optimizer.safetensors ]] && echo y || echo n)/$([[ -f $d/save/w.optimizer.previous.safetensors ]] && echo y || echo n)"
    TMP_AFTER_KILL=$(tmps "$d/save"); STAGE_AFTER_KILL=$(stagings)
    state="w=$W_E h=$H_R $O tmp=$TMP_AFTER_KILL"

    # Resume.
    timeout -k 5 300 "$CNNC" "${ARGS[@]}" --save "$W" --resume >"$d/resume.log" 2>&1; rrc=$?
    TMP_AFTER_RESUME=$(tmps "$d/save"); STAGE_AFTER_RESUME=$(stagings)
    if (( TMP_AFTER_KILL == 0 )); then cleaned="none left"; elif (( TMP_AFTER_RESUME == 0 )); then cleaned="yes ($TMP_AFTER_KILL removed)"; else cleaned="NO ($TMP_AFTER_RESUME left)"; fi
    (( STAGE_AFTER_RESUME > 0 )) && cleaned+=", $STAGE_AFTER_RESUME staging folder(s) left"
    same=no; [[ -f $W ]] && cmp -s "$REF/w.safetensors" "$W" && same=yes
    msg=$(first_error "$d/resume.log")

    if [[ $note == *OUTLIVED* ]]; then outcome=WRONG; note+="; "
    elif (( rrc == 124 || rrc == 137 || rrc >= 128 )) || crashy "$d/resume.log"; then outcome=WRONG; note+="resume crashed/timed out (rc $rrc): $msg"
    elif [[ $W_E == - ]]; then
        if (( rrc == 0 )); then
            outcome="before first save: started afresh, $([[ $same == yes ]] && echo bit-exact || echo DIFFERENT)"
            [[ $same == yes ]] || { outcome=WRONG; note+="resume of nothing trained afresh to other weights"; }
        else outcome="before first save: refused"; note+="$msg"; fi
    elif [[ $W_E == "$EPOCHS" ]]; then
        if [[ $same == yes ]]; then outcome="finished (bit-exact)"; note+="resume rc $rrc: $msg"; else outcome=WRONG; note+="final weights after the kill differ from the reference"; fi
    elif (( rrc == 0 )); then
        if [[ $same == yes ]]; then outcome=bit-exact; else outcome=WRONG; note+="resume rc 0 but the weights differ from the reference"; fi
        # The rest of the set must agree too (history's epoch/accuracy/loss, optimizer state).
        if ! diff -q <(cut -d, -f1-3 "$REF/w.history.csv") <(cut -d, -f1-3 "$d/save/w.history.csv") >/dev/null; then note+=" HISTORY DIFFERS"; outcome=WRONG; fi
        cmp -s "$REF/w.optimizer.safetensors" "$d/save/w.optimizer.safetensors" || { note+=" OPTIMIZER STATE DIFFERS"; outcome=WRONG; }
    elif [[ -n $msg ]]; then outcome="refused cleanly"; note+="$msg"
    else outcome=WRONG; note+="resume rc $rrc without an error message"
    fi
    [[ $outcome == WRONG ]] && WRONGS=$(( WRONGS + 1 ))
    COUNT[$outcome]=$(( ${COUNT[$outcome]:-0} + 1 ))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$how" "$killed_at" "$state" "${stop:--}" "$rrc" "$outcome" "$cleaned" "$note" >>"$WORK/results.tsv"
    printf '%3d  %-44s %7ss  %-30s stop %-6s rc %-3s %-28s tmp: %s  %s\n' "$i" "$how" "$killed_at" "$state" "${stop:--}" "$rrc" "$outcome" "$cleaned" "$note"
done

exec 2>&3 3>&-
echo
echo "Outcomes (KILL=$KILL, $TRIALS trials, seed $SEED, $EPOCHS epochs; details in $WORK/results.tsv):"
for k in "${!COUNT[@]}"; do printf '  %4d  %s\n' "${COUNT[$k]}" "$k"; done | sort -k2
echo "total time: $(fsub "$EPOCHREALTIME" "$T0")s"
exec {NEVER}>&-
(( WRONGS == 0 )) || { echo "$WRONGS trial(s) WRONG"; exit 1; }
exit 0
