"""Quickstart: use the advisor as a library.

Builds one Router (the packaged rule base and catalog), routes a few tasks, and prints for each
the model, the confidence, the first line of the explanation and the keyword arguments for a
chat-completions call. Run it with `python examples/quickstart.py`; nothing touches the network.
"""

from advisor import Constraints, Router, Task

TASKS = [
    Task(text="solve AIME problem"),
    Task(text="Write a heartfelt toast for my sister's wedding"),
    Task(text="Write a heartfelt toast for my sister's wedding", constraints=Constraints(budget="low")),
    Task(text="Classify 2 million support tickets as cheaply as possible"),
    Task(text="What is in this photo?", constraints=Constraints(needs={"vision"})),
]


def main() -> None:
    # Build the Router once: it compiles the rule base; routing is then cheap and thread-safe.
    with Router() as router:
        for task in TASKS:
            rec = router.route(task)
            print(f"{task.text!r} (budget {task.constraints.budget or 'unset'}, needs {sorted(task.constraints.needs) or 'none'})")
            print(f"  model: {rec.model} (confidence {rec.confidence:.2f})")
            print(f"  why:   {rec.explanation.splitlines()[0]}")
            print(f"  call:  {rec.request_params(max_tokens=1000, temperature=0.7)}")


if __name__ == "__main__":
    main()
