package feeds

import (
	"errors"
	"net/netip"
	"testing"
)

func TestForbiddenAddr(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.255.0.9", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"fd00::1", true},
		{"169.254.169.254", true},
		{"fe80::1", true},
		{"0.0.0.0", true},
		{"::", true},
		{"224.0.0.1", true},
		{"ff02::1", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"255.255.255.255", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"8.8.8.8", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"93.184.216.34", false},
		{"2606:4700::1111", false},
	}
	for _, tt := range tests {
		if got := forbiddenAddr(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("forbiddenAddr(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestGuardControl(t *testing.T) {
	tests := []struct {
		address string
		wantErr error
	}{
		{"127.0.0.1:80", ErrForbiddenAddress},
		{"[fe80::1%eth0]:443", ErrForbiddenAddress},
		{"93.184.216.34:443", nil},
	}
	for _, tt := range tests {
		err := guardControl("tcp", tt.address, nil)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Errorf("guardControl(%s) = %v, want %v", tt.address, err, tt.wantErr)
		}
		if tt.wantErr != nil && ClassOf(err) != ClassForbidden {
			t.Errorf("ClassOf(%v) = %q, want %q", err, ClassOf(err), ClassForbidden)
		}
	}
}
