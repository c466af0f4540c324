"""New land-using projects (§五(二)2): screening against Beijing's prohibited and restricted catalogue.

The plan asks that every new land-using project be judged against 《北京市新增产业的禁止和限制目录》 and
the plan's own tests before the city's land-supply review group (工业和科研用地项目供地联审) sees it:
:mod:`.codes` reads GB/T 4754-2017 industry codes, :mod:`.catalogue` the catalogue's rules,
:mod:`.zoning` the catalogue's "1+4" zones, :mod:`.fit` and :mod:`.intensity` the plan's tests,
:mod:`.intake` a project list, and :mod:`.screening` puts them together.
"""
