#!/bin/sh
#
# cli_test.sh: integration tests of the bsdvm command-line tool.
#
# usage: cli_test.sh path/to/bsdvm source-dir
#
# Runs every examples/*.bvm with the invariant checkers on (-c) and wants
# exit status 0, then runs small inline scripts and checks exact output
# lines and exit statuses.  The last line is "N passed, N failed"; the exit
# status is non-zero if anything failed.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 path/to/bsdvm source-dir" >&2
	exit 2
fi
bin=$1
src=$2
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli_test.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() {
	pass=$((pass + 1))
}

bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}

# show: the output and diagnostics of the last run, indented.
show() {
	sed 's/^/    out: /' "$tmp/out"
	sed 's/^/    err: /' "$tmp/err"
}

# run NAME STATUS [OPTIONS...] < script: run the script read from standard
# input with the options; the run passes if the exit status is STATUS.
run() {
	name=$1
	want=$2
	shift 2
	cat > "$tmp/script.bvm"
	"$bin" "$@" "$tmp/script.bvm" > "$tmp/out" 2> "$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$name: exit status $got, want $want"
		show
		return 1
	fi
	ok
}

# has NAME REGEX [out|err]: a line of the last run's output matches.
has() {
	if grep -Eq -- "$2" "$tmp/${3:-out}"; then
		ok
	else
		bad "$1: no line matches '$2' in ${3:-out}"
		show
	fi
}

# hasnt NAME REGEX [out|err]: no line of the last run's output matches.
hasnt() {
	if grep -Eq -- "$2" "$tmp/${3:-out}"; then
		bad "$1: a line matches '$2' in ${3:-out}"
		show
	else
		ok
	fi
}

# --- Every example runs clean, with the checkers after every command. ---
for f in "$src"/examples/*.bvm; do
	[ -e "$f" ] || continue
	name=examples/$(basename "$f")
	"$bin" -c "$f" > "$tmp/out" 2> "$tmp/err"
	got=$?
	if [ "$got" -eq 0 ]; then
		ok
	else
		bad "$name: exit status $got, want 0"
		tail -n 5 "$tmp/out" | sed 's/^/    out: /'
		sed 's/^/    err: /' "$tmp/err"
	fi
done

# --- Result lines. ---
run results 0 <<'END'
vmspace p
mmap p buf 64k rw anon,private
write p $buf+4k "hi!"
read p $buf+4k 3
mincore p $buf 16k
munmap p $buf+64k 4k
fault p $buf+4k w
procstat p
END
has results '^vmspace p: ok$'
has results '^mmap p buf: 0x[0-9a-f]+$'
has results '^write p: ok$'
has results '^0x[0-9a-f]{12}  68 69 21 {40,}\|hi!\|$'
has results '^mincore p: 0100$'
has results '^munmap p: EINVAL$'
has results '^fault p: ok$'
has results '^ +START +END +PRT/MAX +RES +ANON +REF +INHERIT +ADVICE +WIRED +FLAGS +TYPE$'
has results '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rwx +1 +1 +1 copy +normal +0 C----- anon$'

# --- The seed story: zero fill, fork, copy-on-write. ---
run cow 0 -c <<'END'
vmspace p
mmap p buf 16k rw anon,private
procstat p
write p $buf "parent"
vmstat flt_zfill
fork p c
procstat c
write c $buf "child!"
vmstat flt_acow
expect-bytes p $buf "parent"
expect-bytes c $buf "child!"
END
has cow '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rwx +0 +0 +0 copy +normal +0 CN---- anon$'
has cow '^ +1 zero-fill faults \(flt_zfill\)$'
has cow '^ +1 anon copy-on-write faults \(flt_acow\)$'
has cow '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rwx +0 +1 +[0-9]+ copy +normal +0 CN---- anon$'
has cow '^expect-bytes c: ok$'

# --- Fork of a COPY entry whose amap is shared (minherit share, fork, then
# minherit copy, fork): the second child keeps its snapshot whoever writes.
# (Once broke: the parent kept a writable mapping of a shared anon, and a
# sharer's write left a stale pv entry that crashed at teardown.)
run shared-amap-cow 0 -c <<'END'
vmspace p
mmap p x 8k rw anon,private
write p $x "original"
minherit p $x 8k share
fork p c1
minherit p $x 8k copy
fork p c2
write p $x "PARENT!!"
expect-bytes c2 $x "original"
write c1 $x "CHANGED!"
expect-bytes c2 $x "original"
write c2 $x+4k "child 2"
expect-bytes p $x+4k 0x00000000
destroy c1
END
has shared-amap-cow '^expect-bytes c2: ok$'

# --- Access failures and their si_codes. ---
run segv 0 <<'END'
vmspace p
mmap p a 8k rw anon,private
mprotect p $a 8k r
write p $a+4k "x"
expect SEGV_ACCERR
expect EFAULT
munmap p $a 4k
read p $a 1
expect SEGV_MAPERR
fault p $a r
expect EFAULT
END
has segv '^write p: EFAULT \(SIGSEGV SEGV_ACCERR at 0x[0-9a-f]+\)$'
has segv '^read p: EFAULT \(SIGSEGV SEGV_MAPERR at 0x[0-9a-f]+\)$'
has segv '^expect SEGV_MAPERR: ok$'

# --- Expressions, variables, the vmstat view. ---
run expr 0 <<'END'
set x 4k+0x10-16
expect-value $x 4096
set y -1
expect-value $y 0xffffffffffffffff
set z 2p
expect-value $z == 8192
expect-value $z > $x
vmstat
END
has expr '^set x: 0x1000$'
has expr '^ +4096 bytes per page \(pagesize\)$'
has expr '^ +0 vmspaces \(vmspaces\)$'

# --- Quiet mode: only print commands; unexpected failures on stderr. ---
run quiet 0 -q <<'END'
vmspace p
echo   indented text # kept
mmap p a 4k rw anon,private
munmap p $a+4k 4k
munmap p 0 4k
expect EINVAL
write p $a "q"
read p $a 1
info p
END
hasnt quiet 'vmspace p|mmap p|write p|expect'
has quiet '^  indented text # kept$'
has quiet '\|q\|$'
has quiet '^info p: size 4096 resident 1 dused 4096 wired 0 entries 1 rlimit_data inf rlimit_memlock [0-9]+$'
has quiet 'line 4: munmap p: EINVAL$' err
hasnt quiet 'line 5' err

# --- Standard input. ---
printf 'vmspace p\necho from stdin\n' | "$bin" -q - > "$tmp/out" 2> "$tmp/err"
if [ $? -eq 0 ] && grep -q '^from stdin$' "$tmp/out"; then ok; else
	bad "stdin: script from - not run"; show; fi

# --- Failed expectations stop the script with status 1. ---
run expect-fails 1 <<'END'
vmspace p
mmap p a 4k rw anon,private
munmap p $a 4k
expect EINVAL
echo not reached
END
has expect-fails 'line 4: expect EINVAL failed: munmap p \(line 3\) gave ok' err
hasnt expect-fails 'not reached'
run expect-segv-fails 1 <<'END'
vmspace p
mmap p a 4k r anon,private
write p $a "x"
expect SEGV_MAPERR
END
run expect-bytes-fails 1 <<'END'
vmspace p
mmap p a 4k rw anon,private
write p $a "abc"
expect-bytes p $a "abd"
END
has expect-bytes-fails 'line 4: expect-bytes failed: byte at 0x[0-9a-f]+ is 0x63, expected 0x64' err
run expect-stat-fails 1 <<'END'
expect-stat vmspaces 1
END
run expect-value-fails 1 <<'END'
expect-value 1 > 2
END

# --- Script errors: status 2, naming the line. ---
run unknown 2 <<'END'
vmspace p
frobnicate p
END
has unknown "line 2: unknown command 'frobnicate'" err
run usage 2 <<'END'
vmspace p
munmap p 0x1000
END
has usage 'line 2: usage: munmap NAME ADDR LEN' err
run novm 2 <<'END'
munmap q 0x1000 4k
END
has novm "line 1: no vmspace 'q'" err
run undefined 2 <<'END'
vmspace p
munmap p $nowhere 4k
END
has undefined 'line 2: undefined variable' err
run badquote 2 <<'END'
vmspace p
write p 0x1000 "unterminated
END
run overflow 2 <<'END'
set x 0x10000000000000000
END
run expect-first 2 <<'END'
expect 0
END
awk 'BEGIN { printf "echo "; for (i = 0; i < 5000; i++) printf "x"; print "" }' |
    run longline 2
has longline 'line 1: line longer than' err
run duplicate 2 <<'END'
vmspace p
vmspace p
END

# --- Options. ---
"$bin" -h > "$tmp/out" 2> "$tmp/err"
if [ $? -eq 0 ] && grep -q '^usage: bsdvm' "$tmp/out"; then ok; else
	bad "-h: no usage or bad status"; show; fi
"$bin" -Z x > "$tmp/out" 2> "$tmp/err"
if [ $? -eq 2 ]; then ok; else bad "bad option: status not 2"; show; fi
"$bin" -n 0 - < /dev/null > "$tmp/out" 2> "$tmp/err"
if [ $? -eq 2 ]; then ok; else bad "-n 0: status not 2"; show; fi
"$bin" "$tmp/does-not-exist.bvm" > "$tmp/out" 2> "$tmp/err"
if [ $? -eq 4 ]; then ok; else bad "missing file: status not 4"; show; fi
run small 0 -n 64 <<'END'
vmstat npages
END
has small '^ +64 pages managed \(npages\)$'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
