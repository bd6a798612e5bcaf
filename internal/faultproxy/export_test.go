package faultproxy

// SetHolding makes p tell ch of every write its partition holds back.
func (p *Proxy) SetHolding(ch chan struct{}) { p.holding = ch }
