#!/usr/bin/perl
# Crash consistency of the state directory: aw-alert and aw-workorder are killed with
# SIGKILL at random moments (200 runs, some of them racing for the lock), then the audit
# chain must verify and no work order may be lost, duplicated or half-written.
# AW_CRASH_RUNS=N changes the number of runs, AW_CRASH_SEED the random seed.
use strict;
use warnings;
use File::Temp qw(tempdir);
use JSON::PP;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep time);

my $runs = $ENV{AW_CRASH_RUNS} // 200;
my $seed = $ENV{AW_CRASH_SEED} // 20190304;
srand($seed);
my $n = 0;
my $fail = 0;
sub ok {
	my ($c, $what) = @_;
	$n++;
	print(($c ? "" : "not ") . "ok $n - $what\n");
	$fail++ unless $c;
	return $c;
}

my $tests = $0 =~ m{(.*)/} ? $1 : ".";
my $dir = tempdir("aw-crash.XXXXXX", TMPDIR => 1, CLEANUP => 0);
system("cp", "$tests/data/alert/aquawatch.yaml", "$dir/") == 0 or die "cp: $?";
chdir $dir or die "$dir: $!";
$ENV{AW_NOW} = 1551700800;
delete $ENV{AW_CONFIG};

# 60 events in 12 DMAs; every third overlaps the one before it in its DMA
my @events;
for my $i (1 .. 60) {
	my $dma = sprintf("DMA_%02d", $i % 12);
	my $h = 2 * int(($i - 1) / 12) + ($i % 3 == 0 ? 1 : 0);
	push @events, sprintf('{"type":"event","id":"E-%d","dma":"%s","start":"2019-03-04T%02d:00:00Z",'
	    . '"end":"2019-03-04T%02d:45:00Z","peak_p":%.2f,"sensors":["s%d"],"source":"prob"}',
	    $i, $dma, $h, $h + 1, 0.6 + ($i % 4) / 10, $i % 7);
	push @events, sprintf('{"type":"validation","event":"E-%d","valid":true,"checks":[]}', $i);
}
for my $k (0 .. 9) {
	open my $f, ">", "events$k.jsonl" or die $!;
	print $f "$_\n" for @events[$k * 12 .. $k * 12 + 11];
	close $f;
}
open my $f, ">", "all.jsonl" or die $!;
print $f "$_\n" for @events;
close $f;
open $f, ">", "notify" or die $!;
print $f "#!/bin/sh\necho \"\$1\" >> delivered\ncat > /dev/null\nexit \${NOTIFY_STATUS:-0}\n";
close $f;
chmod 0755, "notify";

sub start {
	my @cmd = @_;
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open STDIN, "<", "/dev/null";
		open STDOUT, ">", "/dev/null";
		open STDERR, ">>", "stderr.log";
		exec @cmd or POSIX::_exit(127);
	}
	return $pid;
}

sub random_command {
	my $op = int(rand(6));
	my $wo = sprintf("WO-%06d", 1 + int(rand(25)));
	return ("aw-alert", "-x", "./notify", "--backoff", "0.001", "events" . int(rand(10)) . ".jsonl")
	    if $op == 0;
	return ("aw-workorder", "propose", "--open") if $op == 1;
	return ("aw-workorder", "approve", $wo, "--by", "alice") if $op == 2;
	return ("aw-workorder", "dispatch", $wo, "--by", "carol") if $op == 3;
	return ("aw-workorder", "close", $wo, "--by", "carol", "--outcome", "confirmed_leak") if $op == 4;
	return ("aw-workorder", "reject", $wo, "--by", "bob", "--reason", "no crew");
}

my ($killed, $finished) = (0, 0);
my $t0 = time;
for my $i (1 .. $runs) {
	local $ENV{NOTIFY_STATUS} = rand() < 0.3 ? 1 : 0;
	my @cmd = random_command();
	my $pid = start(@cmd);
	# every fifth run races a second one for the lock; only the first is killed
	my $other = $i % 5 == 0 ? start(random_command()) : 0;
	sleep(rand($cmd[0] eq "aw-alert" ? 0.03 : 0.006));
	kill "KILL", $pid;
	waitpid($pid, 0);
	if (WIFSIGNALED($?) && WTERMSIG($?) == 9) { $killed++ } else { $finished++ }
	waitpid($other, 0) if $other;
}
my $elapsed = time - $t0;
ok(1, sprintf("%d runs in %.1f s: %d killed, %d finished first", $runs, $elapsed, $killed, $finished));

my ($rolled, $cut) = (0, 0);
if (open my $log, "<", "stderr.log") {
	while (<$log>) {
		$rolled++ if /finished an interrupted commit/;
		$cut++ if /discarded an incomplete commit/;
	}
}
print "#   recoveries seen: $rolled commits finished, $cut incomplete commits cut off\n";
my $verify = `aw-workorder audit verify 2>&1`;
ok($? == 0, "audit chain and objects verify after the kills") or print map { "#   $_\n" } split /\n/, $verify;

sub objects {
	my ($kind) = @_;
	my %o;
	for my $file (glob("st/$kind/*.json")) {
		open my $fh, "<", $file or die "$file: $!";
		local $/;
		$o{$1} = decode_json(<$fh>) if $file =~ m{/([^/]+)\.json$};
	}
	return \%o;
}

sub consistent {
	my ($when) = @_;
	my ($alerts, $orders, $labels) = (objects("alert"), objects("workorder"), objects("label"));
	my (%by_alert, @bad);
	for my $id (sort keys %$orders) {
		my $w = $orders->{$id};
		my $a = $alerts->{ $w->{alert} };
		push @bad, "$id: alert $w->{alert} missing" unless $a;
		push @bad, "$id: alert $w->{alert} points to " . ($a->{workorder} // "null")
		    if $a && ($a->{workorder} // "") ne $id;
		push @bad, "$id and $by_alert{$w->{alert}} both for $w->{alert}" if $by_alert{ $w->{alert} };
		$by_alert{ $w->{alert} } = $id;
		push @bad, "$id: closed without outcome" if $w->{status} eq "closed" && !$w->{outcome};
		push @bad, "$id: closed but alert open"
		    if $w->{status} eq "closed" && $a && $a->{status} ne "closed";
	}
	my %label_for;
	for my $l (values %$labels) {
		push @bad, "two labels for $l->{workorder}" if $label_for{ $l->{workorder} }++;
		push @bad, "label for $l->{workorder}, which is not closed"
		    unless ($orders->{ $l->{workorder} }{status} // "") eq "closed";
	}
	for my $id (keys %$orders) {
		push @bad, "$id closed without a label" if $orders->{$id}{status} eq "closed" && !$label_for{$id};
	}
	for my $id (keys %$alerts) {
		push @bad, "$id: workorder $alerts->{$id}{workorder} missing"
		    if $alerts->{$id}{workorder} && !$orders->{ $alerts->{$id}{workorder} };
	}
	ok(!@bad, "$when: one work order per alert, both sides agree, one label per closed order")
	    or print map { "#   $_\n" } @bad;
	return ($alerts, $orders);
}
consistent("after the kills");

# the same work without kills finishes the job: nothing was lost on the way
{
	local $ENV{NOTIFY_STATUS} = 0;
	system("aw-alert -x ./notify all.jsonl > /dev/null 2>> stderr.log");
	ok($? == 0, "a clean aw-alert run delivers what was queued");
	system("aw-workorder propose --open > /dev/null 2>> stderr.log");
	ok($? == 0, "a clean propose run");
}
my ($alerts, $orders) = consistent("after clean runs");
my @missing = grep {
	my $a = $alerts->{$_};
	$a->{status} eq "open" && $a->{severity} ne "info" && !$a->{workorder}
} sort keys %$alerts;
ok(!@missing, "every open alert has its work order") or print "#   missing: @missing\n";
my @queued = glob("st/outbox/*.json");
ok(!@queued, "the delivery queue is empty") or print "#   queued: @queued\n";
my %delivered;
if (open my $d, "<", "delivered") { chomp, $delivered{$_} = 1 while <$d>; }
my @undelivered = grep { $alerts->{$_}{paged} && !$delivered{$_} } sort keys %$alerts;
ok(!@undelivered, "every paged alert reached the command at least once")
    or print "#   never delivered: @undelivered\n";
my %seen_events;
my @twice = grep { $seen_events{$_}++ } map { @{ $_->{events} } }
    grep { $_->{status} eq "open" } values %$alerts;
ok(!@twice, "no event is in two open alerts") or print "#   @twice\n";
$verify = `aw-workorder audit verify 2>&1`;
ok($? == 0, "audit verify at the end") or print map { "#   $_\n" } split /\n/, $verify;
print "#   $verify";

print "1..$n\n";
if ($fail == 0) {
	chdir "/";
	system("rm", "-rf", $dir);
} else {
	print "# state kept in $dir\n";
}
exit 0;
