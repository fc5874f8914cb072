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
# The host files scenarios make go to a directory of ours, checked at the
# end: every run must have removed its bsdvm.XXXXXX directory.
mkdir "$tmp/td" || exit 2
TMPDIR=$tmp/td
export TMPDIR

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

# --- Files: a MAP_SHARED mapping, the end of the file, msync. ---
run files 0 -c <<'END'
file F1 size=20000 fill=letters
hostsize F1
open fd F1 rw
vmspace p
mmap p a 24k rw shared fd=$fd
expect-bytes p $a+4k "BBBB"
read p $a+19998 4
read p $a+5p 1
expect BUS_OBJERR
expect ENXIO
expect SIGBUS
fault p $a+5p r
expect ENXIO
write p $a "hi"
msync p $a 24k sync
expect-host F1 0 "hiAA"
hostread F1 19996 8
procstat -v p
procstat p
vmstat msync_calls vnodes
END
has files '^file F1: ok$'
has files '^hostsize F1: 20000$'
has files '^open fd: 3$'
has files '^mmap p a: 0x[0-9a-f]+$'
has files '^0x[0-9a-f]{12}  45 45 00 00 +\|EE\.\.\|$'
has files '^read p: EFAULT \(ENXIO: SIGBUS BUS_OBJERR at 0x[0-9a-f]+000\)$'
has files '^expect BUS_OBJERR: ok$'
has files '^expect ENXIO: ok$'
has files '^expect SIGBUS: ok$'
has files '^fault p: ENXIO \(SIGBUS BUS_OBJERR at 0x[0-9a-f]+000\)$'
has files '^msync p: ok$'
has files '^expect-host F1: ok$'
has files '^hostread F1: 4 bytes$'
has files '^0x000000004e1c  45 45 45 45 +\|EEEE\|$'
has files '^procstat -v p:$'
has files '^ +START +END +PRT/MAX +RES +ANON +REF +INHERIT +ADVICE +WIRED +FLAGS +OFFSET +ORES +TP +PATH$'
has files '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rw[-x] +[0-9]+ +0 +0 share +normal +0 ------ 0x0000000000 +5 vn  <tmp>/F1$'
has files '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rw[-x] +[0-9]+ +0 +0 share +normal +0 ------ vnode$'
has files '^ +1 msync calls \(msync_calls\)$'
has files '^ +1 vnode objects \(vnodes\)$'

# --- A private mapping over a file, fork, an unaligned offset. ---
run files-private 0 -c <<'END'
file F1 size=3p fill=letters
open fd F1 rw
vmspace p
mmap p sh 3p rw shared fd=$fd
mmap p pr 3p rw private fd=$fd
write p $pr "private"
expect-bytes p $sh "AAAAAAA"
msync p $pr 3p sync
expect-host F1 0 "AAAAAAA"
fork p c
write c $sh+4k "shared by c"
expect-bytes p $sh+4k "shared by c"
write c $pr "child"
expect-bytes p $pr "private"
expect-bytes c $pr "childte"
expect-bytes c $pr+2p "CCCC"
procstat -v c
mmap p u 4k r private fd=$fd off=4100
expect-bytes p $u "ed by c"
destroy c
destroy p
expect-host F1 4096 "shared by c"
END
has files-private '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rw[-x] +[0-9]+ +[0-9]+ +[0-9]+ copy +normal +0 C[-N]---- 0x0000000000 +[0-9]+ vn  <tmp>/F1$'
has files-private '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rw[-x] +[0-9]+ +0 +0 share +normal +0 ------ 0x0000000000 +[0-9]+ vn  <tmp>/F1$'
has files-private '^mmap p u: 0x[0-9a-f]*004$'
has files-private '^expect-host F1: ok$'

# --- mmap of a descriptor: OpenBSD's errors; the script's fd numbers. ---
run files-errors 0 -c <<'END'
file F1 size=8k
open fd F1 rw
open ro F1 ro
open wo F1 wo
open d . ro
open x nothere ro
expect ENOENT
open w . rw
expect EISDIR
vmspace p
mmap p - 4k r shared fd=99
expect EBADF
mmap p - 4k r shared fd=1
expect EBADF
mmap p - 4k r shared 0 2 0
expect EBADF
mmap p - 4k r shared fd=$d
expect ENODEV
mmap p - 4k r shared fd=$wo
expect EACCES
mmap p - 4k rw shared fd=$ro
expect EACCES
mmap p s 4k r shared fd=$ro
mprotect p $s 4k rw
expect EACCES
mmap p pr 4k r private fd=$ro
mprotect p $pr 4k rw
expect 0
mmap p - 4k r private fd=$fd off=-4k
expect EINVAL
mmap p - 4k r anon,private fd=$fd
expect EINVAL
close $ro
mmap p - 4k r private fd=$ro
expect EBADF
open again F1 ro
close 42
expect EBADF
END
has files-errors '^open fd: 3$'
has files-errors '^open ro: 4$'
has files-errors '^open wo: 5$'
has files-errors '^open d: 6$'
has files-errors '^open x: ENOENT$'
has files-errors '^open w: EISDIR$'
has files-errors '^mmap p -: ENODEV$'
has files-errors '^mmap p -: EACCES$'
has files-errors '^mprotect p: EACCES$'
has files-errors '^close \$ro: ok$'
has files-errors '^open again: 4$'
has files-errors '^close 42: EBADF$'

# --- msync: the argument checks in order, wired memory, anonymous memory. ---
run msync 0 -c <<'END'
file F1 size=8k
open fd F1 rw
vmspace p
mmap p a 8k rw shared fd=$fd
msync p $a 4k 0
expect EINVAL
msync p $a 4k async,sync
expect EINVAL
msync p $a 4k 0x80
expect EINVAL
msync p -4k 8k async
expect EINVAL
msync p $a 64k async
expect EFAULT
mmap p an 4k rw anon,private
msync p $an 4k sync
expect 0
mlock p $a 4k
msync p $a 4k invalidate
expect EBUSY
munlock p $a 4k
msync p $a 4k sync,invalidate
expect 0
vmstat msync_calls
END
has msync '^msync p: EINVAL$'
has msync '^msync p: EFAULT$'
has msync '^msync p: EBUSY$'
has msync '^ +[0-9]+ msync calls \(msync_calls\)$'

# --- The page-cache calls: file_read/write/sync/truncate. ---
run file-io 0 -c <<'END'
file F1 size=20000 fill=letters
open fd F1 rw
open ro F1 ro
open wo F1 wo
vmspace p
mmap p a 5p rw shared fd=$fd
write p $a+8 "mapped"
expect-file $fd 8 "mapped"
file_write $fd 4096 "written"
expect-bytes p $a+4k "written"
expect-host F1 4096 "written"
file_read $fd 19990 100
file_read $fd 30000 4
file_read $fd -1 4
expect EINVAL
file_read $wo 0 4
expect EACCES
file_write $ro 0 "x"
expect EBADF
file_write 1 0 "x"
expect EBADF
file_read 0 0 4
expect EBADF
file_sync $fd
expect-host F1 8 "mapped"
file_truncate $ro 100
expect EBADF
file_truncate $fd 4096
expect 0
hostsize F1
read p $a+4k 1
expect ENXIO
file_write $fd 8190 "ab"
hostsize F1
END
has file-io '^file_write \$fd: ok$'
has file-io '^file_read \$fd: 10 bytes$'
has file-io '^0x000000004e16  45 45 45 45 45 45 45 45  45 45 +\|EEEEEEEEEE\|$'
has file-io '^file_read \$fd: 0 bytes$'
has file-io '^file_read \$fd: EINVAL$'
has file-io '^file_write 1: EBADF$'
has file-io '^file_sync \$fd: ok$'
has file-io '^file_truncate \$fd: ok$'
has file-io '^hostsize F1: 4096$'
has file-io '^read p: EFAULT \(ENXIO: SIGBUS BUS_OBJERR at 0x[0-9a-f]+\)$'
has file-io '^hostsize F1: 8192$'

# --- The file truncated behind the library's back: pages not cached
# beyond the new end fault ENXIO. ---
run hosttruncate 0 -c <<'END'
file F1 size=4p fill=letters
open fd F1 rw
vmspace p
mmap p a 4p r shared fd=$fd
madvise p $a 4p random
expect-bytes p $a "AAAA"
hosttruncate F1 4096
read p $a+3p 1
expect ENXIO
hostwrite F1 0 "behind"
expect-host F1 0 "behind"
END
has hosttruncate '^hosttruncate F1: ok$'
has hosttruncate '^hostwrite F1: ok$'

# --- Pager errors, with failure points. ---
run pager-errors 0 -c <<'END'
file F1 size=5p fill=letters
open fd F1 rw
vmspace p
mmap p a 5p rw shared fd=$fd
write p $a "dirty"
failpoint pager_write 1
msync p $a 5p sync
expect EIO
msync p $a 5p sync
expect 0
expect-host F1 0 "dirty"
msync p $a 5p sync,invalidate
failpoint pager_read 1
read p $a+2p 1
expect EIO
expect BUS_OBJERR
failpoint off
expect-bytes p $a+2p "CCCC"
expect-stat pager_errors 2
END
has pager-errors '^failpoint pager_write: ok$'
has pager-errors '^msync p: EIO$'
has pager-errors '^read p: EFAULT \(EIO: SIGBUS BUS_OBJERR at 0x[0-9a-f]+\)$'
has pager-errors '^failpoint off: ok$'
run failpoint-bad 2 <<'END'
failpoint bogus 1
END
has failpoint-bad "line 1: unknown failure point 'bogus'" err

# --- Shared memory between two vmspaces. ---
run shm 0 -c <<'END'
shm_open x noslash creat
expect EINVAL
shm_open x "" creat
expect EINVAL
shm_open x /a
expect ENOENT
shm_open x /a creat,excl
objsize x
truncate x 8k
objsize x sz
expect-value $sz 8192
shm_open y /a creat,excl
expect EEXIST
shm_open y /a
vmspace p
vmspace q
mmap p m 12k rw shared obj=x
mmap q n 8k rw shared obj=y
write p $m "shared memory"
expect-bytes q $n "shared memory"
read p $m+8k 1
expect BUS_OBJERR
procstat -v p
shm_unlink /a
shm_unlink /a
expect ENOENT
release x
release y
expect-bytes p $m "shared memory"
END
has shm '^shm_open x: EINVAL$'
has shm '^shm_open x: ENOENT$'
has shm '^shm_open x: ok$'
has shm '^objsize x: 0$'
has shm '^objsize x: 8192$'
has shm '^shm_open y: EEXIST$'
has shm '^read p: EFAULT \(ENXIO: SIGBUS BUS_OBJERR at 0x[0-9a-f]+\)$'
has shm '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rw[-x] +[0-9]+ +0 +0 share +normal +0 ------ 0x0000000000 +1 sh  /a$'
has shm '^shm_unlink /a: ok$'
has shm '^shm_unlink /a: ENOENT$'
has shm '^release x: ok$'
run shm-released 2 <<'END'
shm_open y - creat
release y
truncate y 0
END
has shm-released "line 3: no object 'y'" err
run shm-unnamed 0 -c <<'END'
shm_open u - creat
truncate u 4k
vmspace p
mmap p m 4k rw shared obj=u
procstat -v p
END
has shm-unnamed '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rw[-x] +0 +0 +0 share +normal +0 ------ 0x0000000000 +0 sh$'

# --- A device's frame buffer. ---
run device 0 -c <<'END'
device fb pa 0
expect EINVAL
vmstat free
device fb pa 4 fb0
vmstat free
vmspace p
mmap p f 16k rw shared obj=fb
physwrite $pa "from the device"
expect-bytes p $f "from the device"
write p $f+4k "from the CPU"
expect-phys $pa+4k "from the CPU"
physread $pa+4k 12
mmap p g 20k rw private obj=fb
write p $g+8k "private is shared"
expect-phys $pa+8k "private is shared"
read p $g+16k 1
expect ENXIO
truncate fb 4k
expect EINVAL
procstat -v p
physwrite 0x7fffffffffff "x"
expect EINVAL
destroy p
release fb
vmstat free objects
END
has device '^device fb: EINVAL$'
has device '^ +16384 pages free \(free\)$'
has device '^ +16380 pages free \(free\)$'
has device '^device fb: 0x[0-9a-f]+$'
has device '^physwrite: ok$'
has device '^expect-phys \$pa\+4k: ok$'
has device '^0x[0-9a-f]{12}  66 72 6f 6d 20 74 68 65  20 43 50 55 +\|from the CPU\|$'
has device '^read p: EFAULT \(ENXIO: SIGBUS BUS_OBJERR at 0x[0-9a-f]+\)$'
has device '^truncate fb: EINVAL$'
has device '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rw[-x] +[0-9]+ +0 +0 share +normal +0 ------ 0x0000000000 +4 dev fb0$'
has device '^physwrite: EINVAL$'
has device '^ +0 memory objects \(vnode, aobj, device\) \(objects\)$'

# --- A file's object: fileobj, truncate, mapped with obj=. ---
run fileobj 0 -c <<'END'
file F1 size=3p fill=letters
open fd F1 rw
open ro F1 ro
fileobj fo $fd
objsize fo
vmspace p
mmap p a 3p r shared obj=fo
expect-bytes p $a+2p "CCCC"
truncate fo 4096
read p $a+1p 1
expect ENXIO
hostsize F1
fileobj bad 77
expect EBADF
END
has fileobj '^fileobj fo: ok$'
has fileobj '^objsize fo: 12288$'
has fileobj '^truncate fo: ok$'
has fileobj '^hostsize F1: 4096$'
has fileobj '^fileobj bad: EBADF$'
run fileobj-ro 0 -c <<'END'
file F1 size=3p
open ro F1 ro
fileobj fr $ro
truncate fr 4096
expect EBADF
hostsize F1
END
has fileobj-ro '^truncate fr: EBADF$'
has fileobj-ro '^hostsize F1: 12288$'

# --- The new counters in the vmstat view. ---
run vmstat-objects 0 <<'END'
vmstat
END
for c in objects vnodes obj_pages flt_obj flt_prcopy pgpgin pgpgout pageins \
    pageouts pager_errors msync_calls; do
	has vmstat-objects "^ +0 .* \\($c\\)$"
done
has vmstat-objects '^ +0 pages paged in \(pgpgin\)$'
has vmstat-objects '^ +0 pageout operations \(pageouts\)$'

# --- Quiet mode prints the dumps of the new print commands. ---
run files-quiet 0 -q <<'END'
file F1 size=100 fill=0x2a
open fd F1 rw
hostread F1 0 2
hostsize F1
file_read $fd 98 8
file_write $fd 0 "x"
file_write 1 0 "x"
END
hasnt files-quiet '^file F1|^open fd|^file_write'
has files-quiet '^hostread F1: 2 bytes$'
has files-quiet '^hostsize F1: 100$'
has files-quiet '^file_read \$fd: 2 bytes$'
has files-quiet 'line 7: file_write 1: EBADF$' err

# --- Host file names stay in the run's directory. ---
for bad in '../x' 'a/b' '..' '.hidden' '/etc/passwd' 'a..b' '-x'; do
	printf 'file %s size=1\n' "$bad" | run "file-name $bad" 2
	has "file-name $bad" 'bad file name' err
	printf 'file F1\nopen x %s ro\n' "$bad" | run "open-name $bad" 2
	has "open-name $bad" 'bad file name' err
done
run open-mode-number 2 <<'END'
file F1
open x F1 0x40
END
has open-mode-number 'usage: open VAR FILE' err
run file-exists 2 <<'END'
file F1
file F1
END
has file-exists "line 2: file 'F1' exists" err
run file-too-big 2 <<'END'
file F1 size=1g
END
run hostwrite-too-far 2 <<'END'
file F1
hostwrite F1 1g "x"
END
run no-file 2 <<'END'
hostread F9 0 1
END
has no-file "line 1: no file 'F9'" err
run mmap-keywords 2 <<'END'
vmspace p
mmap p - 4k r shared fd=3 fd=3
END
has mmap-keywords "given twice" err
run mmap-obj-fd 2 <<'END'
shm_open o - creat
vmspace p
mmap p - 4k r shared fd=3 obj=o
END
run mmap-no-obj 2 <<'END'
vmspace p
mmap p - 4k r shared obj=nothere
END
has mmap-no-obj "line 2: no object 'nothere'" err
run mquery-obj 2 <<'END'
shm_open o - creat
vmspace p
mquery p - 4k r shared obj=o
END
run mmap-keyword-unknown 2 <<'END'
vmspace p
mmap p - 4k r shared fdx=3
END
run procstat-bad 2 <<'END'
vmspace p
procstat -x p
END
run object-exists 2 <<'END'
shm_open o - creat
shm_open o - creat
END
has object-exists "line 2: object 'o' exists" err

# --- Failed expectations on files, objects, physical memory. ---
run expect-host-fails 1 <<'END'
file F1 size=4 fill=0x41
expect-host F1 0 "AAB"
END
has expect-host-fails 'line 2: expect-host failed: byte at 0x2 is 0x41, expected 0x42' err
run expect-host-eof 1 <<'END'
file F1 size=4 fill=0x41
expect-host F1 2 "AAA"
END
has expect-host-eof 'line 2: expect-host failed: the file ends at 0x4' err
run expect-file-fails 1 <<'END'
file F1 size=4 fill=0x41
open fd F1 ro
expect-file $fd 0 "B"
END
has expect-file-fails 'line 3: expect-file failed: byte at 0x0 is 0x41, expected 0x42' err
run expect-phys-fails 1 <<'END'
device d pa 1
expect-phys $pa 0x01
END
has expect-phys-fails 'line 2: expect-phys failed: byte at 0x[0-9a-f]+ is 0x00, expected 0x01' err
run expect-enxio-fails 1 <<'END'
file F1 size=4k
open fd F1 ro
vmspace p
mmap p a 8k r shared fd=$fd
read p $a 1
read p $a+4k 1
expect EIO
END
has expect-enxio-fails 'line 7: expect EIO failed: read p \(line 6\) gave EFAULT \(ENXIO: SIGBUS BUS_OBJERR at 0x[0-9a-f]+\)' err

# --- The example tells the story it says. ---
"$bin" "$src/examples/files.bvm" > "$tmp/out" 2> "$tmp/err"
has files.bvm '^read p: EFAULT \(ENXIO: SIGBUS BUS_OBJERR at 0x[0-9a-f]+\)$'
has files.bvm '^  0x[0-9a-f]{12} 0x[0-9a-f]{12} rw-/rw[-x] +[0-9]+ +[0-9]+ +[0-9]+ copy +normal +0 C[-N]---- 0x0000000000 +[0-9]+ vn  <tmp>/F1$'
has files.bvm ' sh  /demo$'
has files.bvm ' dev fb0$'
has files.bvm '^expect-host F1: ok$'

# --- Paging: system, swapon/swapoff/swapctl/pageout, the counters. ---
"$bin" -c "$src/examples/paging.bvm" > "$tmp/out" 2> "$tmp/err"
has paging.bvm '^fill p: ENOMEM$'
has paging.bvm '^ +[1-9][0-9]* pages swapped out \(pswpout\)$'
has paging.bvm '^  <tmp>/swap0 +1024 +0 +1024 +0% +0 +0 +0 +0$'
has paging.bvm '^0x000040000000  63 68 69 6c 64 22 22 22 +\|child"""\|$'
has paging.bvm '^swapoff swap0: ENOMEM$'
has paging.bvm '^swapoff swap0: ok$'
has paging.bvm '^ +0 swap pages in use \(swpginuse\)$'
has paging.bvm '^check: ok$'
run swap-errors 2 <<'END'
system npages=64
file small size=60k
swapon small
expect EINVAL
file ok size=1m
swapon ok
swapon ok 3
expect EBUSY
swapoff small
expect ENXIO
system npages=128
END
has swap-errors '^swapoff small: ENXIO$'
has swap-errors 'line 11: system: swap areas exist' err
run system-busy 2 <<'END'
vmspace p
system npages=128
END
has system-busy 'system: vmspaces exist' err
run swap-nofile 2 <<'END'
swapon nosuch
END
has swap-nofile "no file 'nosuch'" err
run swap-pressure 0 <<'END'
system npages=64
file sw size=2m
swapon sw 7
vmspace p
mmap p a 512k rw anon,private
fill p $a 512k 0x5a
expect-stat pswpout > 0
pageout 32
read p $a+0x7f000 4
swapctl -l
END
has swap-pressure '^pageout: [0-9]+ freed$'
has swap-pressure '^0x00004007f000  5a 5a 5a 5a +\|ZZZZ\|$'
has swap-pressure '^  <tmp>/sw +512 +[0-9]+ +[0-9]+ +[0-9]+% +7 +0 '
# the daemon thread reclaims in the background; the data is the same
run swap-daemon 0 <<'END'
system npages=64 pdaemon
file sw size=2m
swapon sw
vmspace p
mmap p a 512k rw anon,private
fill p $a 512k 0x5b
read p $a 4
check
END
has swap-daemon '^0x000040000000  5b 5b 5b 5b +\|\[\[\[\[\|$'
run swap-daemon-flag 0 -d -n 64 <<'END'
file sw size=2m
swapon sw
vmspace p
mmap p a 512k rw anon,private
fill p $a 512k 0x5c
read p $a 4
END
has swap-daemon-flag '^0x000040000000  5c 5c 5c 5c +\|\\\\\\\\\|$'

# --- Every run removed its host files and directory (also runs that
# stopped early). ---
if [ -z "$(ls -A "$tmp/td")" ]; then ok; else
	bad "host files left behind: $(ls -A "$tmp/td")"; fi

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
