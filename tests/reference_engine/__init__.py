"""The engine as it was before the speed work of issue 17: the oracle of tests/test_same_result.py.

assess.py, differentiate.py, plan.py and safety.py are copies of `anmian.engine`'s modules
at commit d9fb389 (imports pointed here), and `Assessment.to_dict` is the generic walk through
the pydantic contract. The reader (resolve, context, hazards, allergies, screening, inputs) is
shared with the engine, so a change of reading changes both sides alike and the test keeps
passing; a faster piece of the engine must give byte-for-byte the JSON these give.

A deliberate change of clinical behaviour in the engine's assess, differentiate, plan or safety
modules must be made here too, in the same commit (these files are the old behaviour, not a
snapshot of outputs: there is nothing to regenerate).
"""
