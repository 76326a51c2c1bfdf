package daemon

import "gocloud.dev/pubsub"

// A message redelivered while the cycle that loads it runs (SQS past its
// visibility timeout during a long load, any at-least-once delivery) came
// after that cycle took its scope, so addEvents could not join it to its
// first copy: it was queued for the next cycle, which listed its folders
// again (a write open and the lease), loaded nothing, and counted it
// applied and observed its lag a second time (found by a review). A copy
// of a message of the cycle under way, known by its id, is held until that
// cycle ends: acknowledged with it once it is (SQS deletes by the newest
// receipt), handed back for redelivery otherwise, when it joins the kept
// work as addEvents joins copies. A copy still in the debouncer as the
// cycle starts is not held: it loads in the next cycle, as before.

// copies are the messages of the cycle under way and the copies of them
// received meanwhile; guarded by target.mu.
type copies struct {
	flying map[string]bool // ids of the cycle's messages
	held   []*pubsub.Message
}

// fly notes the messages of s, the scope of the cycle that starts; t.mu
// is held.
func (c *copies) fly(s scope) {
	c.flying = nil
	for _, e := range s.events {
		for _, m := range e.messages() {
			if m.LoggableID == "" {
				continue
			}
			if c.flying == nil {
				c.flying = map[string]bool{}
			}
			c.flying[m.LoggableID] = true
		}
	}
}

// holdCopy holds msg when it is a copy of a message of the cycle under way,
// and says so.
func (t *target) holdCopy(msg *pubsub.Message) bool {
	if msg.LoggableID == "" {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.copies.flying[msg.LoggableID] {
		return false
	}
	t.copies.held = append(t.copies.held, msg)
	t.log.Debug("a message of the load under way was delivered again; held until that load ends", "message", msg.LoggableID)
	return true
}

// landed ends the cycle under way: the copies held of the messages it
// acknowledged (acked) are acknowledged, the others handed back.
func (t *target) landed(acked []delivery) {
	t.mu.Lock()
	held := t.copies.held
	t.copies = copies{}
	t.mu.Unlock()
	if len(held) == 0 {
		return
	}
	ids := map[string]bool{}
	for _, e := range acked {
		for _, m := range e.messages() {
			ids[m.LoggableID] = true
		}
	}
	for _, m := range held {
		switch {
		case ids[m.LoggableID]:
			m.Ack()
		case m.Nackable():
			m.Nack()
		}
	}
}
