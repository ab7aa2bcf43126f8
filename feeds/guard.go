package feeds

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// forbiddenPrefixes returns the ranges the address guard refuses beyond what
// netip.Addr's predicates cover: "this network", carrier-grade NAT, the IETF
// protocol block, benchmarking, and the reserved class E block (which also
// holds the broadcast address).
func forbiddenPrefixes() [5]netip.Prefix {
	return [...]netip.Prefix{
		netip.PrefixFrom(netip.AddrFrom4([4]byte{0, 0, 0, 0}), 8),
		netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64, 0, 0}), 10),
		netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 0, 0, 0}), 24),
		netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18, 0, 0}), 15),
		netip.PrefixFrom(netip.AddrFrom4([4]byte{240, 0, 0, 0}), 4),
	}
}

// forbiddenAddr reports whether a dial to addr must be refused: loopback,
// private (RFC 1918, fc00::/7), link-local, unspecified, multicast, CGNAT and
// the reserved ranges above. IPv4-mapped IPv6 addresses are judged as IPv4.
func forbiddenAddr(addr netip.Addr) bool {
	addr = addr.Unmap()
	if addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() ||
		addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast() ||
		addr.IsMulticast() || addr.IsUnspecified() {
		return true
	}
	for _, p := range forbiddenPrefixes() {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// guardControl is a net.Dialer Control function. It runs after name
// resolution, on the address actually dialled, so a DNS answer that changes
// between checks (rebinding) cannot slip a private address past it.
func guardControl(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("guard %s: %w", address, err)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("guard %s: %w", address, err)
	}
	if forbiddenAddr(addr) {
		return fmt.Errorf("guard %s %s: %w", network, address, ErrForbiddenAddress)
	}
	return nil
}
