# SPDX-License-Identifier: GPL-2.0
# The VM's console on its way to the log (qemu-scripts/host/vm-run.sh): QEMU's
# stderr (trace events) and the guest's serial console, in the order QEMU
# wrote them. Every line passes through unchanged except the IOMMU's
# refusals, which are counted:
#
#   vtd_translate_fail ...              a DMA VT-d refused (every one)
#   vtd_translated_request_blocked ...  a translated request refused
#   vtd_ir_translated_write_blocked ... a translated write to the MSI range
#
# A refusal inside a window that a test opened is expected: it counts for
# that window (the first few are shown). Any other is unexpected: it is
# printed with a "svmdemo-runner: unexpected" prefix, which fails the run.
#
# Windows: "svmdemo-expect: open NAME" .. "svmdemo-expect: close NAME",
# written by the tests (selftests/svmdemo_test.h), NAME being the test as the
# kselftest harness names it. However a test ended, its window closes at
# its result line ("# ok N NAME", "# not ok N NAME"), and every window
# closes when a binary ends ("ok N selftests: ...") or starts. The tests
# write their markers straight to the console while their other output
# takes a detour through a pipe, so only the name, never the position of
# a result line, says which window it closes. A result line can reach the
# runner after the next test's first refusals, so a test that must see
# none writes "svmdemo-expect: none NAME" first, which closes every window.
# At the end: one summary line per window and a total.

function close_win(w,    o) {
	delete open_[w]
	if (last == w) {
		last = ""
		for (o in open_)
			last = o
	}
}

function close_all(    w) {
	for (w in open_)
		delete open_[w]
	last = ""
}

function refusal(line,    w) {
	if (last != "") {
		count[last]++
		expected++
		if (count[last] <= SHOW)
			print "svmdemo-runner: expected in " last ": " line
		return
	}
	unexpected++
	if (unexpected <= 200)
		print "svmdemo-runner: unexpected IOMMU refusal: " line
}

BEGIN {
	SHOW = 3
	last = ""
	expected = 0
	unexpected = 0
}

/svmdemo-expect: open [^ ]+/ {
	match($0, /svmdemo-expect: open [^ ]+/)
	w = substr($0, RSTART + 21, RLENGTH - 21)
	open_[w] = 1
	last = w
	if (!(w in count)) {
		count[w] = 0
		order[++nwin] = w
	}
	print
	fflush()
	next
}

# A test that expects no refusal says so when it starts: every window of
# an earlier test closes, even one whose result line is still in the pipe.
/svmdemo-expect: none [^ ]+/ {
	close_all()
	print
	fflush()
	next
}

/svmdemo-expect: close [^ ]+/ {
	match($0, /svmdemo-expect: close [^ ]+/)
	close_win(substr($0, RSTART + 22, RLENGTH - 22))
	print
	fflush()
	next
}

/^vtd_translate_fail |^vtd_translated_request_blocked |^vtd_ir_translated_write_blocked / {
	refusal($0)
	fflush()
	next
}

/^# selftests: |^(not )?ok [0-9]+ selftests: / {
	close_all()
}

/^# (not )?ok [0-9]+ [^ ]+/ {
	n = split($0, f, " ")
	close_win(f[2] == "not" ? f[5] : f[4])
}

{
	print
	fflush()
}

END {
	for (i = 1; i <= nwin; i++)
		printf "svmdemo-runner: window %s: %d expected IOMMU refusals\n",
		       order[i], count[order[i]]
	printf "svmdemo-runner: IOMMU refusals: %d expected, %d unexpected\n",
	       expected, unexpected
}
