"""A first look: one gradient found three ways. Run with `make quickstart`."""
from autograd import Value
from autograd.gradcheck import check_gradients

a, b = Value(2.0, label="a"), Value(-3.0, label="b")
c = a * b + b**2  # c = ab + b^2, so by hand dc/da = b and dc/db = a + 2b
c.backward()  # the engine fills a.grad and b.grad
print(f"c = {c.data}   dc/da = {a.grad} (by hand b = -3)   dc/db = {b.grad} (by hand a + 2b = -4)")
print(check_gradients(lambda a, b: a * b + b**2, [a, b], hand_written=[b.data, a.data + 2 * b.data]))
