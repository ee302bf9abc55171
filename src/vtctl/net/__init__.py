"""HTTP plumbing both API clients share (``remote`` and ``twilio_video``): the deadline
transport, retry timing and the bounded read of a reply's body."""
