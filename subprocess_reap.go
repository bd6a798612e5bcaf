package asyncio

import "syscall"

// reapByWaiting reaps the child with a goroutine blocked in wait: a thread
// per running child, for systems without pidfd and for the portable
// backend. The goroutine ends when the child does; it is not counted in
// the loop's goroutines, since a child may outlive the loop.
func (p *Process) reapByWaiting() error {
	go func() {
		st, err := p.proc.Wait()
		if err != nil {
			p.exited.TrySetError(err)
			return
		}
		p.exited.TrySetResult(exitCode(st.Sys().(syscall.WaitStatus)))
	}()
	return nil
}
