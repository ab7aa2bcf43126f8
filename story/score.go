package story

// verdict turns the kept hits into a Match: the distinct phrases, actors,
// context terms and exclusions with their spans, the score with each
// class of evidence capped, and whether the item is relevant.
func (m *Matcher) verdict(sc *scratch) Match {
	var res Match
	sc.nextGen()
	kept := m.shadowLookalikes(sc)
	if kept == 0 {
		res.Relevant = m.relevant(&tally{})
		return res
	}
	res.Spans = make([]Span, 0, kept)
	var t tally
	for _, h := range sc.hits {
		p := m.pats[h.pat]
		if h.dropped || p.kind == patActorExclude {
			continue
		}
		field := FieldTitle
		if h.inText {
			field = FieldText
		}
		span := Span{Field: field, Start: h.start, End: h.end, Kind: p.kind.spanKind(), Term: m.term(p)}
		if n := len(res.Spans); n == 0 || !samePlace(res.Spans[n-1], span) {
			res.Spans = append(res.Spans, span)
		}
		if !sc.firstTime(m.seenIndex(p)) {
			continue
		}
		switch p.kind {
		case patPhrase, patWeak, patGeneric:
			res.Phrases = append(res.Phrases, span.Term)
		case patContext:
			res.Context = append(res.Context, span.Term)
		case patExclude:
			res.Excluded = append(res.Excluded, span.Term)
		case patAlias:
			res.Actors = append(res.Actors, span.Term)
		}
		t.add(m, p)
	}
	res.Score = t.score(m.def.Rules)
	res.Relevant = m.relevant(&t)
	return res
}

// samePlace reports whether two spans cover the same text as the same
// kind: forms of one word listed as several terms report one span.
func samePlace(a, b Span) bool {
	return a.Field == b.Field && a.Start == b.Start && a.End == b.End && a.Kind == b.Kind
}

// shadowLookalikes drops the hits of aliases found inside a look-alike
// person's name when that person is named in the item and the actor is
// named by no other alias; it returns how many hits are left to report.
func (m *Matcher) shadowLookalikes(sc *scratch) int {
	shadowed := false
	for _, h := range sc.hits {
		p := m.pats[h.pat]
		switch {
		case h.dropped:
		case p.kind == patActorExclude && p.person:
			sc.firstTime(m.seenAt[regLookalike] + int(p.owner))
			shadowed = true
		case p.kind == patAlias && !p.shadowable:
			sc.firstTime(m.seenAt[regFull] + int(p.owner))
		}
	}
	kept := 0
	for i := range sc.hits {
		h := &sc.hits[i]
		p := m.pats[h.pat]
		if shadowed && !h.dropped && p.shadowable &&
			sc.marked(m.seenAt[regLookalike]+int(p.owner)) && !sc.marked(m.seenAt[regFull]+int(p.owner)) {
			h.dropped = true
		}
		if !h.dropped && p.kind != patActorExclude {
			kept++
		}
	}
	return kept
}

// seenIndex returns the seen-table entry that counts pattern p once: a
// term's concept in its kind's region, or the actor.
func (m *Matcher) seenIndex(p pattern) int {
	switch p.kind {
	case patPhrase:
		return m.seenAt[regPhrase] + int(p.concept)
	case patWeak:
		return m.seenAt[regWeak] + int(p.concept)
	case patGeneric:
		return m.seenAt[regGeneric] + int(p.concept)
	case patContext:
		return m.seenAt[regContext] + int(p.concept)
	case patExclude:
		return m.seenAt[regExclude] + int(p.concept)
	}
	return m.seenAt[regActor] + int(p.owner)
}

// tally adds up the evidence of one item by class.
type tally struct {
	strong, weak, generic, context, actors, excluded float64
	nStrong, nWeak, nGeneric, nContext, cores        int
}

// add counts a first hit of pattern p.
func (t *tally) add(m *Matcher, p pattern) {
	switch p.kind {
	case patPhrase:
		t.strong += m.def.Phrases[p.owner].Weight
		t.nStrong++
	case patWeak:
		t.weak += m.def.Weak[p.owner].Weight
		t.nWeak++
	case patGeneric:
		t.generic += m.def.Generic[p.owner].Weight
		t.nGeneric++
	case patContext:
		t.context += m.def.Context[p.owner].Weight
		t.nContext++
	case patExclude:
		t.excluded += m.def.Exclude[p.owner].Weight
	case patAlias:
		w := m.def.Actors[p.owner].Weight
		t.actors += w
		if w >= m.def.Rules.CoreWeight {
			t.cores++
		}
	}
}

// score adds the classes up, each capped by its rule.
func (t *tally) score(r Rules) float64 {
	return t.strong + capped(t.weak, r.WeakCap) + capped(t.generic, r.GenericCap) +
		capped(t.actors, r.ActorCap) + capped(t.context, r.ContextCap) - t.excluded
}

// capped limits v to limit, where a limit of 0 means none.
func capped(v, limit float64) float64 {
	if limit > 0 {
		return min(v, limit)
	}
	return v
}

// relevant applies the threshold and, when the rules ask for it, the
// evidence rule.
func (m *Matcher) relevant(t *tally) bool {
	r := m.def.Rules
	if t.score(r) < m.def.Threshold {
		return false
	}
	if !r.Evidence {
		return true
	}
	if t.nStrong > 0 || t.nWeak > 0 {
		return true
	}
	// Core actors are evidence in a quorum, with support (a context term
	// or a generic phrase), or in a quorum and one more without.
	return r.CoreQuorum > 0 && (t.cores > r.CoreQuorum ||
		(t.cores == r.CoreQuorum && (t.nContext > 0 || t.nGeneric > 0)))
}

// term returns what a span of pattern p reports: the configured phrase or
// the actor's canonical name.
func (m *Matcher) term(p pattern) string {
	switch p.kind {
	case patPhrase:
		return m.def.Phrases[p.owner].Text
	case patWeak:
		return m.def.Weak[p.owner].Text
	case patGeneric:
		return m.def.Generic[p.owner].Text
	case patContext:
		return m.def.Context[p.owner].Text
	case patExclude:
		return m.def.Exclude[p.owner].Text
	}
	return m.def.Actors[p.owner].Name
}

// weight returns what a first hit of pattern p adds to a sentence's
// score; exclusions take their weight away.
func (m *Matcher) weight(p pattern) float64 {
	switch p.kind {
	case patPhrase:
		return m.def.Phrases[p.owner].Weight
	case patWeak:
		return m.def.Weak[p.owner].Weight
	case patGeneric:
		return m.def.Generic[p.owner].Weight
	case patContext:
		return m.def.Context[p.owner].Weight
	case patExclude:
		return -m.def.Exclude[p.owner].Weight
	}
	return m.def.Actors[p.owner].Weight
}

// spanKind returns the Kind reported for hits of this pattern kind.
func (k patKind) spanKind() Kind {
	switch k {
	case patPhrase, patWeak, patGeneric:
		return KindPhrase
	case patContext:
		return KindContext
	case patExclude:
		return KindExclude
	}
	return KindActor
}
