# shellcheck shell=bash
# The pre-flight checks' listener for a host with perl (on Debian perl-base is essential, so it is always there):
# what tcpdump, socat and arping do in the checks, with the kernel's sockets, so no tool has to be installed
# before the checks can run. Read-only on the host apart from the probes it sends.
# Usage: preflight_listen SECONDS SPEC... with SPEC one of
#   capture:IFACE   print every VRRP packet (IP protocol 112) that comes in on IFACE, promiscuously like tcpdump:
#                   "vrrp IFACE SOURCE-MAC SOURCE-IP DESTINATION-IP ROUTER-ID"
#   probe:IFACE     send four VRRPv2 adverts for router id 0 to 224.0.0.18 out of IFACE (1 s to 2.5 s in)
#   dad:VIP:IFACE   ARP duplicate address detection for VIP on IFACE (probes at 0 s and 1 s, as arping -D -c 2):
#                   "dad VIP IFACE 0 -" when nobody answers, "dad VIP IFACE 1 MAC" per machine that does
# A socket it cannot open prints "checker-error WHAT" and ends it.
preflight_listen() {
perl - "$@" <<'PERL'
use strict;
use warnings;
use Socket qw(AF_INET SOCK_RAW SOCK_DGRAM SOL_SOCKET inet_aton inet_ntoa pack_sockaddr_in);
# Linux's numbers; Socket does not export the packet-socket ones.
my $AF_PACKET = 17;
my ($SOL_PACKET, $PACKET_ADD_MEMBERSHIP, $PACKET_MR_PROMISC, $PACKET_OUTGOING) = (263, 1, 1, 4);
my ($IPPROTO_IP, $IP_MULTICAST_IF, $IP_MULTICAST_TTL, $SO_ATTACH_FILTER) = (0, 32, 33, 26);
my ($ETH_P_IP, $ETH_P_ARP, $VRRP) = (0x0800, 0x0806, 112);
# Classic BPF, one (code, jt, jf, k) per instruction: load the IP protocol byte of the frame, accept 112, else drop.
my $VRRP_ONLY = pack('(S C C L)*', 0x30, 0, 0, 23, 0x15, 0, 1, $VRRP, 0x06, 0, 0, 0x40000, 0x06, 0, 0, 0);
my ($seconds, @specs) = @ARGV;
sub fail { print "checker-error $_[0]\n"; exit 0 }
# Seconds since boot to the hundredth, from a file: Time::HiRes is not in perl-base.
sub now { open(my $f, '<', '/proc/uptime') or fail("/proc/uptime: $!"); my ($t) = split(' ', scalar <$f>); return $t }
sub sysfs { my ($iface, $what) = @_; open(my $f, '<', "/sys/class/net/$iface/$what") or fail("$iface $what: $!"); my $v = <$f>; chomp $v; return $v }
sub link_address { my ($proto, $index, $hw) = @_; $hw //= ''; return pack('S n i S C C a8', $AF_PACKET, $proto, $index, 0, 0, length($hw), $hw) }
sub mac_text { return join(':', map { sprintf('%02x', $_) } unpack('C6', $_[0])) }
my (@captures, @probes, @dads);
for my $spec (@specs) {
  my ($kind, @rest) = split(/:/, $spec);
  my $iface = $rest[-1];
  my $index = sysfs($iface, 'ifindex');
  if ($kind eq 'capture') {
    # Protocol 0 receives nothing until bind names the protocol and the interface: no packet of another one slips in.
    socket(my $s, $AF_PACKET, SOCK_RAW, 0) or fail("packet socket: $!");
    # The kernel passes on only IP protocol 112 (tcpdump's 'ip proto 112'), so a busy web server's traffic stays in the kernel.
    setsockopt($s, SOL_SOCKET, $SO_ATTACH_FILTER, pack('S x![P] P', length($VRRP_ONLY) / 8, $VRRP_ONLY)) or fail("capture filter: $!");
    bind($s, link_address($ETH_P_IP, $index)) or fail("capture on $iface: $!");
    setsockopt($s, $SOL_PACKET, $PACKET_ADD_MEMBERSHIP, pack('i S S a8', $index, $PACKET_MR_PROMISC, 0, '')) or fail("promiscuous $iface: $!");
    push @captures, { iface => $iface, socket => $s };
  } elsif ($kind eq 'probe') {
    socket(my $s, AF_INET, SOCK_RAW, $VRRP) or fail("raw socket: $!");
    setsockopt($s, $IPPROTO_IP, $IP_MULTICAST_IF, pack('a4 a4 i', "\0" x 4, "\0" x 4, $index)) or fail("multicast on $iface: $!");
    setsockopt($s, $IPPROTO_IP, $IP_MULTICAST_TTL, pack('i', 255)) or fail("multicast TTL: $!");
    push @probes, $s;
  } elsif ($kind eq 'dad') {
    my $mac = pack('H12', join('', split(/:/, sysfs($iface, 'address'))));
    socket(my $s, $AF_PACKET, SOCK_DGRAM, 0) or fail("packet socket: $!");
    bind($s, link_address($ETH_P_ARP, $index)) or fail("ARP on $iface: $!");
    # Who has VIP, from 0.0.0.0 (RFC 5227's probe), so no machine's ARP cache learns anything from it.
    my $request = pack('n n C C n a6 a4 a6 a4', 1, $ETH_P_IP, 6, 4, 1, $mac, "\0" x 4, "\0" x 6, inet_aton($rest[0]));
    push @dads, { vip => $rest[0], iface => $iface, index => $index, socket => $s, mac => $mac, request => $request, answers => [] };
  }
}
my $probe = pack('H*', '@PROBE_HEX@');
my $group = pack_sockaddr_in(0, inet_aton('@VRRP_GROUP@'));
# The other nodes start listening within about a second, so the probes go out from then on.
my @events = sort { $a->[0] <=> $b->[0] } ((@probes ? map { [$_, 'probe'] } 1, 1.5, 2, 2.5 : ()), (@dads ? map { [$_, 'dad'] } 0, 1 : ()));
my @packets;
my $start = now();
while (1) {
  my $elapsed = now() - $start;
  while (@events && $events[0][0] <= $elapsed) {
    my (undef, $what) = @{shift @events};
    if ($what eq 'probe') { send($_, $probe, 0, $group) for @probes }
    else { send($_->{socket}, $_->{request}, 0, link_address($ETH_P_ARP, $_->{index}, "\xff" x 6)) for @dads }
  }
  last if $elapsed >= $seconds;
  my $wait = @events && $events[0][0] < $seconds ? $events[0][0] - $elapsed : $seconds - $elapsed;
  my $readable = '';
  vec($readable, fileno($_->{socket}), 1) = 1 for @captures, @dads;
  next unless select(my $ready = $readable, undef, undef, $wait > 0.01 ? $wait : 0.01) > 0;
  for my $c (grep { vec($ready, fileno($_->{socket}), 1) } @captures) {
    my $frame;
    my $from = recv($c->{socket}, $frame, 65535, 0);
    next unless defined $from && length($frame) >= 34;
    my $type = (unpack('S n i S C', $from))[4];
    my $ihl = (ord(substr($frame, 14, 1)) & 15) * 4;
    next if $type == $PACKET_OUTGOING || ord(substr($frame, 23, 1)) != $VRRP || length($frame) < 14 + $ihl + 2;
    push @packets, join(' ', 'vrrp', $c->{iface}, mac_text(substr($frame, 6, 6)), inet_ntoa(substr($frame, 26, 4)),
      inet_ntoa(substr($frame, 30, 4)), ord(substr($frame, 14 + $ihl + 1, 1)));
  }
  for my $d (grep { vec($ready, fileno($_->{socket}), 1) } @dads) {
    my $arp;
    next unless defined recv($d->{socket}, $arp, 1500, 0) && length($arp) >= 28;
    my ($op, $sender_mac, $sender_ip) = unpack('x6 n a6 a4', $arp);
    # A reply, or another machine's announcement, for the VIP from a MAC that is not this host's: as arping -D.
    next unless ($op == 1 || $op == 2) && $sender_ip eq inet_aton($d->{vip}) && $sender_mac ne $d->{mac};
    my $text = mac_text($sender_mac);
    push @{$d->{answers}}, $text unless grep { $_ eq $text } @{$d->{answers}};
  }
}
print "$_\n" for @packets;
for my $d (@dads) {
  if (@{$d->{answers}}) { print "dad $d->{vip} $d->{iface} 1 $_\n" for @{$d->{answers}} }
  else { print "dad $d->{vip} $d->{iface} 0 -\n" }
}
PERL
}
