#!/bin/sh
# install_test.sh BUILD_DIR: install into a scratch prefix, then build and
# run a program against it with pkg-config, shared and static.
set -eu
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/bsdvm.h lib/libbsdvm.a lib/libbsdvm.so lib/pkgconfig/bsdvm.pc \
    bin/bsdvm; do
	if [ -e "$prefix/$f" ]; then ok; else bad "$f not installed"; fi
done
cat >"$prefix/t.c" <<'PROG'
#include <bsdvm.h>
#include <stdio.h>
#include <string.h>
int
main(void)
{
	struct bvm_system *s;
	struct bvm_vmspace *v;
	uint64_t va;
	char b[6] = { 0 };

	if (bvm_system_create(NULL, &s) || bvm_vmspace_create(s, &v))
		return 1;
	if (bvm_mmap(v, 0, 4096, BVM_PROT_READ | BVM_PROT_WRITE,
	    BVM_MAP_ANON | BVM_MAP_PRIVATE, -1, 0, &va) ||
	    bvm_write(v, va, "hello", 5, NULL) || bvm_read(v, va, b, 5, NULL))
		return 1;
	bvm_vmspace_destroy(v);
	bvm_system_destroy(s);
	return strcmp(b, "hello") != 0;
}
PROG
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
if cc "$prefix/t.c" $(pkg-config --cflags --libs bsdvm) \
    -Wl,-rpath,"$prefix/lib" -o "$prefix/t_shared" && "$prefix/t_shared"; then
	ok
else
	bad "program linked with the shared library"
fi
if cc "$prefix/t.c" $(pkg-config --cflags bsdvm) "$prefix/lib/libbsdvm.a" \
    $(pkg-config --static --libs-only-l bsdvm | sed 's/-lbsdvm//') \
    -o "$prefix/t_static" && "$prefix/t_static"; then
	ok
else
	bad "program linked with the static library"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
