//go:build postgres

package postgres

import (
	"reflect"
	"testing"
	"time"

	"storyline/store"
	"storyline/store/postgres/pgtest"
	"storyline/store/storetest"
)

// TestMigrationBackFillsTheCounts checks that migration 0006 counts the
// mentions stored before it as Commit counts them after.
func TestMigrationBackFillsTheCounts(t *testing.T) {
	records := []store.Record{
		storetest.Record("a", "https://wire.example/a", "Witkoff", "Putin"),
		storetest.Record("b", "https://wire.example/b", "Witkoff", "Rubio", "Putin"),
		storetest.Record("c", "https://wire.example/c", "Putin"),
	}
	for i := range records {
		records[i].Item.Published = storetest.T0.Add(-time.Duration(i*17) * time.Hour)
	}
	records[2].Item.Published = time.Date(1969, 12, 31, 22, 30, 0, 0, time.UTC) // before 1970: floored
	clock := func() time.Time { return storetest.T0 }

	committed := openClocked(t, pgtest.NewURL(t), clock)
	defer committed.Close()
	storetest.Commit(t, committed, store.Batch{Records: records})
	want, err := committed.Export(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	u := pgtest.NewURL(t)
	old := openClocked(t, u, clock)
	storetest.Commit(t, old, store.Batch{Records: records})
	if _, err := old.pool.Exec(t.Context(), `DROP TABLE actor_hours, actor_pairs; DROP INDEX items_rejected, clusters_lead;
		UPDATE schema_version SET version = 5`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	migrated := openClocked(t, u, clock)
	defer migrated.Close()
	got, err := migrated.Export(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Counts.Hours) == 0 || len(want.Counts.Pairs) == 0 || !reflect.DeepEqual(got.Counts, want.Counts) {
		t.Errorf("back-filled counts:\n%+v\nwant, as Commit counts:\n%+v", got.Counts, want.Counts)
	}
}
