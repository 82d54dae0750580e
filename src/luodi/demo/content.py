"""The demo company: 星辰优选 / Starlight Mall, an e-commerce platform that means to become a
leading platform in its industry within three years.

It follows the field guide's e-commerce example: the strategy (vision, mid-term goals,
this year's plan) as themes; the company objective "lift user activity and retention" with
its two key results (monthly active rate +10 %, retention +15 %); marketing winning new
users with promotions, technology making the platform fast, customer service cutting the
complaint rate from 5 % to 2 % and lifting satisfaction from 80 % to 90 %, operations
bringing buyers back — then teams and people aligned below them. Around the OKRs, this
week's conversation: comments and questions, managers' feedback, Technology's weekly
reports, the company's weekly review, requests between departments, drafts for approval.

Everything is written once, Chinese and English side by side.
"""

# Prose in two languages side by side: long lines read better than split strings here.
# ruff: noqa: E501

from __future__ import annotations

from luodi.demo.spec import (
    ActionSpec,
    AlignmentRequestSpec,
    ApprovalSpec,
    CommentSpec,
    Company,
    Conversation,
    FeedbackSpec,
    KRSpec,
    Link,
    MeetingSpec,
    Moment,
    ObjectiveSpec,
    PersonSpec,
    ReportSpec,
    Story,
    T,
    ThemeSpec,
    UnitSpec,
)

PCT = T("%", "%")
PEOPLE_UNIT = T("人", "users")

UNITS = (
    UnitSpec("company", T("星辰优选", "Starlight Mall"), "company", None, "ceo"),
    UnitSpec("marketing", T("市场部", "Marketing"), "department", "company", "wang_lei"),
    UnitSpec("technology", T("技术部", "Technology"), "department", "company", "zhang_wei"),
    UnitSpec("service", T("客服部", "Customer Service"), "department", "company", "huang_jing"),
    UnitSpec("operations", T("运营部", "Operations"), "department", "company", "zhou_min"),
    UnitSpec("growth", T("增长团队", "Growth Team"), "team", "marketing", "zhao_ting"),
    UnitSpec("brand", T("品牌团队", "Brand Team"), "team", "marketing", "liu_yang"),
    UnitSpec("search", T("搜索团队", "Search Team"), "team", "technology", "li_na"),
    UnitSpec("infra", T("基础架构团队", "Infrastructure Team"), "team", "technology", "zheng_kai"),
    UnitSpec("quality", T("服务质量团队", "Service Quality Team"), "team", "service", "he_fang"),
    UnitSpec("user_ops", T("用户运营团队", "User Operations Team"), "team", "operations", "xu_li"),
)

# Managers come before the people they manage.
PEOPLE = (
    PersonSpec(
        "ceo",
        "admin@demo.example",
        T("陈思远", "Chen Siyuan"),
        "owner",
        "company",
        None,
        T("创始人兼 CEO", "Founder and CEO"),
    ),
    PersonSpec(
        "zhou_min",
        "zhou.min@demo.example",
        T("周敏", "Zhou Min"),
        "admin",
        "operations",
        "ceo",
        T("运营部负责人，OKR 推进负责人", "Head of Operations, runs the OKR process"),
    ),
    PersonSpec(
        "wang_lei",
        "wang.lei@demo.example",
        T("王磊", "Wang Lei"),
        "member",
        "marketing",
        "ceo",
        T("市场部负责人", "Head of Marketing"),
    ),
    PersonSpec(
        "zhang_wei",
        "zhang.wei@demo.example",
        T("张伟", "Zhang Wei"),
        "member",
        "technology",
        "ceo",
        T("CTO，技术部负责人", "CTO, Head of Technology"),
    ),
    PersonSpec(
        "huang_jing",
        "huang.jing@demo.example",
        T("黄静", "Huang Jing"),
        "member",
        "service",
        "ceo",
        T("客服部负责人", "Head of Customer Service"),
    ),
    PersonSpec(
        "luo_bin",
        "luo.bin@demo.example",
        T("罗斌", "Luo Bin"),
        "viewer",
        "company",
        None,
        T("董事会观察员（只读）", "Board observer (read only)"),
    ),
    PersonSpec(
        "zhao_ting",
        "zhao.ting@demo.example",
        T("赵婷", "Zhao Ting"),
        "member",
        "growth",
        "wang_lei",
        T("增长团队负责人", "Growth Team lead"),
    ),
    PersonSpec(
        "liu_yang",
        "liu.yang@demo.example",
        T("刘洋", "Liu Yang"),
        "member",
        "brand",
        "wang_lei",
        T("品牌团队负责人", "Brand Team lead"),
    ),
    PersonSpec(
        "li_na",
        "li.na@demo.example",
        T("李娜", "Li Na"),
        "member",
        "search",
        "zhang_wei",
        T("搜索团队负责人", "Search Team lead"),
    ),
    PersonSpec(
        "zheng_kai",
        "zheng.kai@demo.example",
        T("郑凯", "Zheng Kai"),
        "member",
        "infra",
        "zhang_wei",
        T("基础架构团队负责人", "Infrastructure Team lead"),
    ),
    PersonSpec(
        "he_fang",
        "he.fang@demo.example",
        T("何芳", "He Fang"),
        "member",
        "quality",
        "huang_jing",
        T("服务质量团队负责人", "Service Quality Team lead"),
    ),
    PersonSpec(
        "xu_li",
        "xu.li@demo.example",
        T("徐丽", "Xu Li"),
        "member",
        "user_ops",
        "zhou_min",
        T("用户运营团队负责人", "User Operations Team lead"),
    ),
    PersonSpec(
        "sun_hao",
        "sun.hao@demo.example",
        T("孙浩", "Sun Hao"),
        "member",
        "growth",
        "zhao_ting",
        T("增长运营专员", "Growth specialist"),
    ),
    PersonSpec(
        "wu_qiang",
        "wu.qiang@demo.example",
        T("吴强", "Wu Qiang"),
        "member",
        "search",
        "li_na",
        T("搜索工程师", "Search engineer"),
    ),
    PersonSpec(
        "ma_chao",
        "ma.chao@demo.example",
        T("马超", "Ma Chao"),
        "member",
        "quality",
        "he_fang",
        T("客服专员", "Customer service agent"),
    ),
    PersonSpec(
        "gao_fei",
        "gao.fei@demo.example",
        T("高飞", "Gao Fei"),
        "member",
        "user_ops",
        "xu_li",
        T("活动运营专员，兼任增长项目", "Campaign specialist, also on the growth project"),
    ),
)

THEMES = (
    ThemeSpec(
        "vision",
        "vision",
        T("三年内成为行业头部电商平台", "Become a leading e-commerce platform within three years"),
        T(
            "用三年时间，让星辰优选在用户规模、用户口碑和经营效率上都进入行业第一梯队。",
            "In three years Starlight Mall ranks in the industry's top tier for users, "
            "reputation and efficiency.",
        ),
    ),
    ThemeSpec(
        "engagement",
        "mid_term",
        T("用户规模与活跃度进入行业前三", "Rank in the top three for users and engagement"),
        T(
            "新用户愿意来，老用户常回来：活跃和留存是平台竞争力的根本。",
            "New users want to come, existing ones keep coming back: engagement and "
            "retention are what make a platform strong.",
        ),
    ),
    ThemeSpec(
        "experience",
        "mid_term",
        T("打造快速、稳定的购物体验", "Build a fast, dependable shopping experience"),
        T(
            "页面快、搜索准、交易不掉线，让每一次购物都顺畅。",
            "Fast pages, accurate search and checkout that never drops: every purchase "
            "should feel smooth.",
        ),
    ),
    ThemeSpec(
        "service",
        "mid_term",
        T("以服务口碑赢得用户信任", "Win trust with service people talk about"),
        T(
            "少出问题，出了问题快速、一次解决，让用户愿意推荐我们。",
            "Fewer problems, and the ones that happen solved quickly and at the first "
            "contact, so users recommend us.",
        ),
    ),
    ThemeSpec(
        "plan",
        "short_term",
        T(
            "{year} 年度计划：提升活跃与留存，夯实性能与服务",
            "{year} plan: lift engagement and retention, shore up speed and service",
        ),
        T(
            "今年的重点：用促销带来新用户，用体验和服务留住他们。",
            "This year's focus: bring in new users with promotions, and keep them with a "
            "better experience and better service.",
        ),
    ),
)


def _story(did: tuple[T, ...], blocker: T, nxt: tuple[T, ...]) -> Story:
    return Story(did=did, blocker=blocker, next=nxt)


# --- this year -------------------------------------------------------------------------------

YEAR_COMPANY = ObjectiveSpec(
    key="year_company",
    cycle="year",
    level="company",
    owner="ceo",
    unit="company",
    title=T(
        "迈向行业头部：{year} 年用户规模与口碑双提升",
        "Step toward industry leadership: grow users and reputation in {year}",
    ),
    description=T(
        "三年战略的第一年。规模上要有明显突破，口碑上要让用户愿意推荐。",
        "Year one of the three-year strategy: a clear step up in scale, and a reputation "
        "that makes users recommend us.",
    ),
    themes=("vision", "plan"),
    key_results=(
        KRSpec(
            "year_buyers",
            T("年度活跃买家数从 720 万增长到 1000 万", "Grow active buyers from 7.2M to 10M"),
            "metric",
            unit=T("人", "buyers"),
            start="7200000",
            target="10000000",
            plan="steady",
            every_weeks=2,
            story=_story(
                (
                    T(
                        "新人专享季带来一波新买家，整体节奏正常。",
                        "The new-user season brought a wave of new buyers; pace is normal.",
                    ),
                    T(
                        "老用户回流明显，活跃买家稳步增长。",
                        "Returning users picked up; active buyers grow steadily.",
                    ),
                ),
                T(
                    "下沉市场获客成本偏高。",
                    "Acquisition in lower-tier cities costs more than planned.",
                ),
                (
                    T("和市场部复盘渠道投放效率。", "Review channel efficiency with Marketing."),
                    T(
                        "准备年中大促的用户目标拆解。",
                        "Break down the user target for the mid-year sale.",
                    ),
                ),
            ),
        ),
        KRSpec(
            "year_quarters",
            T(
                "季度公司级 OKR 全部落地（汇总进度）",
                "Quarterly company OKRs land (rolled-up progress)",
            ),
            "rollup",
        ),
        KRSpec(
            "year_nps",
            T("净推荐值（NPS）从 32 提升到 45", "Raise the Net Promoter Score from 32 to 45"),
            "metric",
            unit=T("分", "points"),
            start="32",
            target="45",
            places=1,
            plan="at_risk",
            every_weeks=2,
            story=_story(
                (
                    T(
                        "季度调研回收 3,200 份问卷，推荐者比例小幅上升。",
                        "The survey got 3,200 answers; the share of promoters rose a little.",
                    ),
                    T(
                        "物流时效的抱怨拉低了得分。",
                        "Complaints about delivery times pulled the score down.",
                    ),
                ),
                T(
                    "物流时效问题需要跨部门解决，进展慢。",
                    "Delivery delays need several departments; progress is slow.",
                ),
                (
                    T(
                        "与运营部一起梳理物流服务商考核。",
                        "Rework courier performance reviews with Operations.",
                    ),
                    T("下月加一轮用户访谈。", "Add a round of user interviews next month."),
                ),
            ),
        ),
    ),
)

# --- this quarter: the company objective from the field guide ---------------------------------

COMPANY = ObjectiveSpec(
    key="company",
    cycle="quarter",
    level="company",
    owner="ceo",
    unit="company",
    title=T("提升平台用户活跃度和留存率", "Lift user activity and retention on the platform"),
    description=T(
        "把「三年成为行业头部平台」落到本季度：用户来得多，更要留得住。各部门的目标都围绕它展开。",
        "The three-year strategy, brought down to this quarter: more users, and users who "
        "stay. Every department's objective hangs off this one.",
    ),
    themes=("engagement", "plan"),
    links=(Link("K:year_quarters"),),
    key_results=(
        KRSpec(
            "mau_rate",
            T(
                "本季度将用户月活跃率提升 10%（从 40% 到 44%）",
                "Raise the monthly active rate by 10% this quarter (from 40% to 44%)",
            ),
            "percentage",
            unit=PCT,
            start="40",
            target="44",
            places=2,
            plan="steady",
            phases=((1 / 3, "41"), (2 / 3, "42.5")),
            story=_story(
                (
                    T(
                        "新人专享季上线，月活跃率开始回升。",
                        "The new-user season went live; the monthly active rate is climbing.",
                    ),
                    T(
                        "个性化首页推荐全量后，回访明显增多。",
                        "Personalized home-page picks are live for everyone; return visits are up.",
                    ),
                    T("会员日拉动了一波集中活跃。", "Member Day brought a burst of activity."),
                ),
                T(
                    "部分渠道新用户质量不高，次月活跃偏低。",
                    "New users from some channels rarely come back the next month.",
                ),
                (
                    T(
                        "和市场部一起砍掉低质量渠道。",
                        "Cut low-quality channels together with Marketing.",
                    ),
                    T(
                        "按阶段目标检查：月底要到 42.5%。",
                        "Check against the phased target: 42.5% by month end.",
                    ),
                ),
            ),
        ),
        KRSpec(
            "retention",
            T(
                "将用户 30 日留存率提高 15%（从 20% 到 23%）",
                "Raise 30-day user retention by 15% (from 20% to 23%)",
            ),
            "percentage",
            unit=PCT,
            start="20",
            target="23",
            places=2,
            plan="at_risk",
            story=_story(
                (
                    T(
                        "推送个性化内容后，新用户 7 日留存有提升。",
                        "Personalized content lifted 7-day retention of new users.",
                    ),
                    T(
                        "30 日留存提升比预期慢。",
                        "30-day retention moves more slowly than expected.",
                    ),
                ),
                T(
                    "搜索体验和客服投诉仍在拖累留存。",
                    "Search quality and complaints still drag retention down.",
                ),
                (
                    T(
                        "周会上和技术、客服对齐留存相关的改进。",
                        "Line up the retention fixes with Technology and Service at the weekly meeting.",
                    ),
                    T("针对流失用户做一轮访谈。", "Interview a round of users who left."),
                ),
            ),
        ),
    ),
)

# --- departments -----------------------------------------------------------------------------

MARKETING = ObjectiveSpec(
    key="marketing",
    cycle="quarter",
    level="unit",
    owner="wang_lei",
    unit="marketing",
    title=T("通过新用户促销活动扩大用户规模", "Grow the user base with new-user promotions"),
    description=T(
        "用促销活动吸引新用户，并让他们完成第一单。和技术部的性能优化一起，提升平台整体竞争力。",
        "Bring in new users with promotions and get them to their first order; together "
        "with Technology's speed work this makes the platform more competitive.",
    ),
    themes=("engagement",),
    links=(Link("O:company"),),
    key_results=(
        KRSpec(
            "new_users",
            T("本季度新增注册用户 30 万", "Sign up 300,000 new users this quarter"),
            "metric",
            unit=PEOPLE_UNIT,
            start="0",
            target="300000",
            plan="ahead",
            contributors=("gao_fei",),
            story=_story(
                (
                    T(
                        "短视频渠道投放效果超出预期。",
                        "Short-video ads perform better than expected.",
                    ),
                    T(
                        "老带新活动上线，邀请注册占比 35%。",
                        "Referral campaign is live; 35% of sign-ups come from invites.",
                    ),
                ),
                T("暂无明显阻碍。", "Nothing serious."),
                (
                    T("加大短视频渠道预算。", "Move more budget to short-video channels."),
                    T("准备月底的第二波促销。", "Prepare the second promotion wave for month end."),
                ),
            ),
        ),
        KRSpec(
            "first_order",
            T(
                "新用户首单转化率从 12% 提升到 18%",
                "Raise new users' first-order conversion from 12% to 18%",
            ),
            "percentage",
            unit=PCT,
            start="12",
            target="18",
            places=1,
            plan="off_track",
            story=_story(
                (
                    T(
                        "新人券领取率高，但核销率偏低。",
                        "Many new users claim the coupon, few use it.",
                    ),
                    T(
                        "落地页改版上线，转化略有提升。",
                        "The new landing page lifted conversion slightly.",
                    ),
                ),
                T(
                    "新人券门槛过高，很多用户领了不用。",
                    "The coupon's minimum spend is too high: users claim it and never use it.",
                ),
                (
                    T(
                        "把新人券门槛从 99 元降到 49 元做 A/B 测试。",
                        "A/B-test lowering the coupon threshold from ¥99 to ¥49.",
                    ),
                    T(
                        "和增长团队一起排查首单流失环节。",
                        "Find where first orders drop off, with the Growth Team.",
                    ),
                ),
            ),
        ),
        KRSpec(
            "cac",
            T("获客成本从 45 元降到 38 元", "Cut the cost per acquired user from ¥45 to ¥38"),
            "metric",
            unit=T("元", "CNY"),
            start="45",
            target="38",
            places=1,
            plan="on_track",
            story=_story(
                (
                    T("停掉两个高成本渠道。", "Stopped two expensive channels."),
                    T("老带新降低了平均获客成本。", "Referrals brought the average cost down."),
                ),
                T("大促期间流量价格上涨。", "Traffic prices rise during big sales."),
                (
                    T("继续优化投放人群包。", "Keep refining ad audiences."),
                    T("评估联名合作的获客效果。", "Evaluate co-branded partnerships."),
                ),
            ),
        ),
    ),
)

TECHNOLOGY = ObjectiveSpec(
    key="technology",
    cycle="quarter",
    level="unit",
    owner="zhang_wei",
    unit="technology",
    title=T("优化平台性能，保障用户购物体验", "Make the platform fast and keep shopping smooth"),
    description=T(
        "页面更快、系统更稳、搜索更准，为营销活动带来的流量兜底。",
        "Faster pages, steadier systems, better search: ready for the traffic the "
        "promotions bring.",
    ),
    themes=("experience",),
    links=(Link("O:company"),),
    key_results=(
        KRSpec(
            "page_p95",
            T(
                "首页加载时间 p95 从 2.8 秒降到 1.5 秒",
                "Cut home-page load time (p95) from 2.8 s to 1.5 s",
            ),
            "metric",
            unit=T("秒", "s"),
            start="2.8",
            target="1.5",
            places=2,
            plan="steady",
            story=_story(
                (
                    T(
                        "图片改为按需加载，首屏明显变快。",
                        "Images now load lazily; the first screen is clearly faster.",
                    ),
                    T("接入新的 CDN 节点。", "New CDN nodes are live."),
                ),
                T("首页推荐接口仍然偏慢。", "The home-page recommendation call is still slow."),
                (
                    T("推荐接口加缓存。", "Cache the recommendation call."),
                    T(
                        "拆分首页大包，减少首屏脚本。",
                        "Split the home-page bundle to ship less script up front.",
                    ),
                ),
            ),
        ),
        KRSpec(
            "availability",
            T(
                "核心交易链路可用性保持在 99.9% 以上",
                "Keep checkout availability at or above 99.9%",
            ),
            "threshold",
            unit=PCT,
            target="99.9",
            direction="at_least",
            places=2,
            threshold_values=("99.91", "99.99", "99.72"),
            misses=1,
            story=_story(
                (
                    T("本周无重大故障。", "No major incident this week."),
                    T("完成一次容灾演练。", "Ran a disaster-recovery drill."),
                ),
                T(
                    "支付网关一次超时事故，影响 40 分钟。",
                    "A payment gateway timeout hurt checkout for 40 minutes.",
                ),
                (
                    T(
                        "给支付网关加熔断和降级。",
                        "Add circuit breaking and fallbacks to the payment gateway.",
                    ),
                    T("继续每周巡检。", "Keep the weekly health review."),
                ),
            ),
        ),
        KRSpec(
            "search_engine",
            T("新一代搜索引擎全量上线", "Launch the new search engine to all users"),
            "milestone",
            plan="at_risk",
            milestones=(
                (T("选型与压测", "Choose and load-test the engine"), 1),
                (T("商品索引迁移", "Migrate the product index"), 2),
                (T("灰度 20% 流量", "Serve 20% of traffic"), 2),
                (T("全量切换并下线旧引擎", "Switch everyone over, retire the old engine"), 1),
            ),
            story=_story(
                (
                    T("选型完成，压测结果满足要求。", "Engine chosen; load tests pass."),
                    T("索引迁移进行中。", "Index migration under way."),
                ),
                T(
                    "灰度期间相关性指标波动，需要调参。",
                    "Relevance numbers wobble during the trial; ranking needs tuning.",
                ),
                (
                    T("先把灰度扩到 20%。", "Widen the trial to 20% first."),
                    T(
                        "和搜索团队对齐全量时间点。",
                        "Agree the full switch-over date with the Search Team.",
                    ),
                ),
            ),
        ),
    ),
)

SERVICE = ObjectiveSpec(
    key="service",
    cycle="quarter",
    level="unit",
    owner="huang_jing",
    unit="service",
    title=T("提升客户服务质量，让用户满意并留下来", "Serve customers well enough that they stay"),
    description=T(
        "「提高用户满意度」太模糊，我们把它写成两个可衡量的结果：投诉率从 5% 降到 2%，满意度从 80% 升到 90%。",
        '"Make customers happier" is too vague, so we wrote it as two measurable results: '
        "complaints from 5% down to 2%, satisfaction from 80% up to 90%.",
    ),
    themes=("service",),
    links=(Link("O:company"),),
    key_results=(
        KRSpec(
            "complaint_rate",
            T("将客户投诉率从 5% 降低到 2%", "Cut the customer complaint rate from 5% to 2%"),
            "percentage",
            unit=PCT,
            start="5",
            target="2",
            places=2,
            plan="at_risk",
            story=_story(
                (
                    T(
                        "优化退换货流程后，相关投诉下降。",
                        "The simpler returns process cut returns complaints.",
                    ),
                    T("客服人员完成新一轮培训。", "Agents finished a new round of training."),
                    T("物流类投诉仍占大头。", "Delivery complaints are still the biggest share."),
                ),
                T(
                    "物流延迟引发的投诉需要运营部和物流商配合。",
                    "Complaints about late deliveries need Operations and the couriers.",
                ),
                (
                    T("与运营部共建物流异常预警。", "Build a late-delivery alert with Operations."),
                    T("每周复盘前十类投诉。", "Review the ten biggest complaint types weekly."),
                ),
            ),
        ),
        KRSpec(
            "satisfaction",
            T("将用户满意度从 80% 提升到 90%", "Raise customer satisfaction from 80% to 90%"),
            "percentage",
            unit=PCT,
            start="80",
            target="90",
            places=1,
            plan="on_track",
            story=_story(
                (
                    T(
                        "服务评价回访上线，满意度稳步上升。",
                        "Follow-up calls after ratings are live; satisfaction rises steadily.",
                    ),
                    T("夜间在线客服覆盖到 24 点。", "Online chat now staffed until midnight."),
                ),
                T("大促期间排队时间变长。", "Queues get longer during big sales."),
                (
                    T("大促前做排班预案。", "Plan shifts ahead of the next big sale."),
                    T("把高频问题做成自助服务。", "Turn frequent questions into self-service."),
                ),
            ),
        ),
    ),
)

OPERATIONS = ObjectiveSpec(
    key="operations",
    cycle="quarter",
    level="unit",
    owner="zhou_min",
    unit="operations",
    title=T("提高复购，让用户常来常买", "Bring buyers back more often"),
    description=T(
        "复购是留存最直接的体现：会员体系和精细化运营一起发力。",
        "Repeat purchases are retention you can see: the loyalty program and targeted "
        "campaigns work on it together.",
    ),
    themes=("engagement",),
    links=(Link("O:company"),),
    key_results=(
        KRSpec(
            "repeat_rate",
            T(
                "90 日复购率从 28% 提升到 35%",
                "Raise the 90-day repeat-purchase rate from 28% to 35%",
            ),
            "percentage",
            unit=PCT,
            start="28",
            target="35",
            places=1,
            plan="at_risk",
            story=_story(
                (
                    T("会员日带动复购。", "Member Day drove repeat orders."),
                    T("新会员积分规则开始见效。", "The new points rules start to show."),
                ),
                T(
                    "品类不够丰富，部分用户复购时找不到想要的商品。",
                    "The range is thin: returning users often cannot find what they want.",
                ),
                (
                    T(
                        "和招商团队补齐高频品类。",
                        "Fill in everyday categories with the merchant team.",
                    ),
                    T("对沉睡会员做定向召回。", "Target lapsed members with a win-back campaign."),
                ),
            ),
        ),
        KRSpec(
            "loyalty_launch",
            T("会员积分体系改版上线", "Launch the revamped loyalty points program"),
            "boolean",
            plan="done",
            story=_story(
                (
                    T("积分规则方案评审通过。", "Points rules approved."),
                    T(
                        "改版已上线，首周 12 万会员使用积分抵扣。",
                        "Launched: 120,000 members redeemed points in the first week.",
                    ),
                ),
                T(
                    "与财务核对积分成本口径花了时间。",
                    "Agreeing the cost of points with Finance took time.",
                ),
                (
                    T("开发联调。", "Integration testing."),
                    T("观察积分使用数据。", "Watch how members use points."),
                ),
            ),
        ),
    ),
)

# --- teams -----------------------------------------------------------------------------------

GROWTH = ObjectiveSpec(
    key="growth",
    cycle="quarter",
    level="unit",
    owner="zhao_ting",
    unit="growth",
    title=T("办好新人专享季", "Run a great new-user season"),
    description=T(
        "新人礼包 + 首单优惠，把新用户带进来、转化掉。",
        "Welcome packs and first-order offers to bring new users in and convert them.",
    ),
    links=(Link("O:marketing"),),
    key_results=(
        KRSpec(
            "welcome_packs",
            T("新人礼包领取 20 万份", "Hand out 200,000 welcome packs"),
            "metric",
            unit=T("份", "packs"),
            start="0",
            target="200000",
            plan="on_track",
            story=_story(
                (
                    T(
                        "礼包入口放到首页首屏。",
                        "The welcome pack now sits on the home page's first screen.",
                    ),
                    T("与三家品牌合作补充礼包内容。", "Three brands added products to the pack."),
                ),
                T("部分礼包商品库存紧张。", "Some pack items are running low."),
                (
                    T("补充礼包库存。", "Restock the packs."),
                    T(
                        "礼包领取后 24 小时内推送提醒。",
                        "Send a reminder within 24 hours of claiming.",
                    ),
                ),
            ),
        ),
        KRSpec(
            "campaign_roi",
            T("活动投入产出比从 1.5 提升到 2.5", "Raise campaign return on spend from 1.5 to 2.5"),
            "metric",
            unit=T("倍", "x"),
            start="1.5",
            target="2.5",
            places=2,
            plan="worried",
            story=_story(
                (
                    T("精准投放后 ROI 回升。", "Targeted ads brought the return back up."),
                    T("高价值品类补贴效果好。", "Subsidies on high-value categories work well."),
                ),
                T(
                    "竞品同期大额补贴，拉高了我们的获客成本。",
                    "A competitor's heavy subsidies drive our costs up.",
                ),
                (
                    T("缩减低效补贴。", "Cut subsidies that do not pay back."),
                    T("和财务复核活动预算。", "Review the campaign budget with Finance."),
                ),
            ),
        ),
    ),
)

BRAND = ObjectiveSpec(
    key="brand",
    cycle="quarter",
    level="unit",
    owner="liu_yang",
    unit="brand",
    title=T("让更多人认识星辰优选", "Make more people know Starlight Mall"),
    description=T(
        "品牌声量为新用户增长打底。",
        "Brand awareness lays the ground for new-user growth.",
    ),
    links=(Link("O:marketing"),),
    key_results=(
        KRSpec(
            "followers",
            T(
                "社交媒体粉丝从 50 万增长到 80 万",
                "Grow social media followers from 500,000 to 800,000",
            ),
            "metric",
            unit=T("人", "followers"),
            start="500000",
            target="800000",
            plan="off_track",
            story=_story(
                (
                    T(
                        "发布品牌短片，反响一般。",
                        "Published a brand video; the response was lukewarm.",
                    ),
                    T(
                        "与两位达人合作，涨粉有限。",
                        "Worked with two creators; follower growth was modest.",
                    ),
                ),
                T(
                    "内容团队人手不足，更新频率跟不上。",
                    "The content team is short-staffed and cannot post often enough.",
                ),
                (
                    T("申请外包内容支持。", "Ask for outside content help."),
                    T("把更新频率提到每周 5 条。", "Post five times a week."),
                ),
            ),
        ),
        KRSpec(
            "brand_search",
            T(
                "品牌搜索指数从 1200 提升到 1800",
                "Raise the brand search index from 1,200 to 1,800",
            ),
            "metric",
            unit=T("点", "points"),
            start="1200",
            target="1800",
            plan="steady",
            stale=True,
            story=_story(
                (
                    T("品牌短片带来一波搜索。", "The brand video brought a spike in searches."),
                    T("地铁广告上线。", "Subway ads went up."),
                ),
                T(
                    "数据平台口径调整，本周数据暂缺。",
                    "The data platform changed its definitions; this week's number is missing.",
                ),
                (
                    T("确认新的数据口径。", "Confirm the new definition."),
                    T("跟进广告投放效果。", "Follow up on the ads' effect."),
                ),
            ),
        ),
    ),
)

SEARCH = ObjectiveSpec(
    key="search",
    cycle="quarter",
    level="unit",
    owner="li_na",
    unit="search",
    title=T("让用户更快找到想要的商品", "Help users find what they want faster"),
    description=T(
        "新一代搜索引擎是技术部本季度的重点项目。",
        "The new search engine is Technology's main project this quarter.",
    ),
    links=(Link("O:technology"),),
    key_results=(
        KRSpec(
            "search_ctr",
            T("搜索结果点击率从 18% 提升到 24%", "Raise search click-through from 18% to 24%"),
            "percentage",
            unit=PCT,
            start="18",
            target="24",
            places=1,
            plan="on_track",
            story=_story(
                (
                    T(
                        "新排序模型在灰度中表现更好。",
                        "The new ranking model does better in the trial.",
                    ),
                    T("补充同义词词典。", "Extended the synonym dictionary."),
                ),
                T("长尾查询效果仍然不稳定。", "Rare queries are still hit and miss."),
                (
                    T("扩大灰度范围。", "Widen the trial."),
                    T("分析点击日志，调整排序特征。", "Tune ranking features from the click logs."),
                ),
            ),
        ),
        KRSpec(
            "zero_results",
            T("零结果搜索占比从 8% 降到 3%", "Cut searches with no results from 8% to 3%"),
            "percentage",
            unit=PCT,
            start="8",
            target="3",
            places=1,
            plan="blocked",
            story=_story(
                (
                    T("纠错功能上线。", "Spelling correction is live."),
                    T(
                        "发现大量零结果来自缺货商品。",
                        "Many empty results come from out-of-stock products.",
                    ),
                ),
                T(
                    "缺货商品下架导致零结果，需要商品侧配合，目前推进困难。",
                    "Out-of-stock items are delisted and leave searches empty; we need the merchant side, and it is stuck.",
                ),
                (
                    T(
                        "请运营部决策：缺货商品是否保留展示。",
                        "Ask Operations to decide whether out-of-stock items stay visible.",
                    ),
                    T("零结果时推荐相似商品。", "Show similar products when nothing matches."),
                ),
            ),
        ),
    ),
)

INFRA = ObjectiveSpec(
    key="infra",
    cycle="quarter",
    level="unit",
    owner="zheng_kai",
    unit="infra",
    title=T("让核心接口更快、更稳", "Make core services faster and steadier"),
    description=T(
        "性能和稳定性是营销活动的底座。",
        "Speed and stability are what the promotions stand on.",
    ),
    links=(Link("O:technology"),),
    key_results=(
        KRSpec(
            "api_p99",
            T(
                "核心接口 p99 延迟从 800 毫秒降到 400 毫秒",
                "Cut core API latency (p99) from 800 ms to 400 ms",
            ),
            "metric",
            unit=T("毫秒", "ms"),
            start="800",
            target="400",
            plan="at_risk",
            story=_story(
                (
                    T("订单查询加了缓存。", "Order lookups are cached now."),
                    T("数据库慢查询清理了一半。", "Half the slow database queries are fixed."),
                ),
                T(
                    "库存服务依赖的旧数据库需要拆分，工作量超出预期。",
                    "The inventory service's old database needs splitting; it is more work than planned.",
                ),
                (
                    T("先拆库存读写。", "Split inventory reads from writes first."),
                    T("申请两周的专项时间。", "Ask for two dedicated weeks."),
                ),
            ),
        ),
        KRSpec(
            "incidents",
            T("每周严重故障不超过 1 次", "At most one serious incident a week"),
            "threshold",
            unit=T("次", "incidents"),
            target="1",
            direction="at_most",
            threshold_values=("0", "1", "3"),
            misses=1,
            story=_story(
                (
                    T("本周运行平稳。", "A quiet week."),
                    T("告警规则重新梳理。", "Alert rules cleaned up."),
                ),
                T("一次发布引发连锁故障。", "One release set off a chain of failures."),
                (
                    T("发布流程加灰度检查。", "Add staged checks to releases."),
                    T("做故障复盘并落实改进。", "Hold the post-mortem and follow through."),
                ),
            ),
        ),
    ),
)

QUALITY = ObjectiveSpec(
    key="quality",
    cycle="quarter",
    level="unit",
    owner="he_fang",
    unit="quality",
    title=T("更快响应，一次把问题解决", "Answer faster and solve it the first time"),
    description=T(
        "响应快、一次解决，是降低投诉、提升满意度的抓手。",
        "Quick answers and first-contact fixes are how complaints go down and "
        "satisfaction goes up.",
    ),
    links=(Link("O:service"),),
    key_results=(
        KRSpec(
            "first_response",
            T(
                "在线客服首次响应时间从 120 秒缩短到 30 秒",
                "Cut first response time in chat from 120 s to 30 s",
            ),
            "metric",
            unit=T("秒", "s"),
            start="120",
            target="30",
            plan="on_track",
            story=_story(
                (
                    T("智能分流上线，排队减少。", "Smart routing is live; queues are shorter."),
                    T("常见问题由机器人先答。", "The bot answers common questions first."),
                ),
                T("高峰时段人手仍然紧张。", "Peak hours are still short-handed."),
                (
                    T("高峰时段增加兼职客服。", "Add part-time agents at peak hours."),
                    T("优化机器人转人工规则。", "Improve when the bot hands over to a person."),
                ),
            ),
        ),
        KRSpec(
            "first_contact",
            T("一次解决率从 70% 提升到 85%", "Raise first-contact resolution from 70% to 85%"),
            "percentage",
            unit=PCT,
            start="70",
            target="85",
            places=1,
            plan="steady",
            story=_story(
                (
                    T("给一线客服开放退款权限。", "Front-line agents can now approve refunds."),
                    T(
                        "知识库补充 40 条标准答案。",
                        "Added 40 standard answers to the knowledge base.",
                    ),
                ),
                T(
                    "部分问题需要商家处理，周期长。",
                    "Some issues need the merchant, which takes long.",
                ),
                (
                    T("和商家约定处理时限。", "Agree response times with merchants."),
                    T("每周抽检 100 通会话。", "Sample 100 conversations a week."),
                ),
            ),
        ),
    ),
)

USER_OPS = ObjectiveSpec(
    key="user_ops",
    cycle="quarter",
    level="unit",
    owner="xu_li",
    unit="user_ops",
    title=T("唤醒沉睡用户", "Wake up dormant users"),
    description=T(
        "召回 30 天未登录的用户，直接支持公司的留存目标。",
        "Win back users who have not logged in for 30 days: straight support for the "
        "company's retention result.",
    ),
    links=(Link("O:operations"), Link("K:retention", type="supports")),
    key_results=(
        KRSpec(
            "win_back",
            T("召回 30 天未登录用户 5 万人", "Win back 50,000 users inactive for 30 days"),
            "metric",
            unit=PEOPLE_UNIT,
            start="0",
            target="50000",
            plan="on_track",
            story=_story(
                (
                    T("短信 + 推送组合召回效果最好。", "Text plus push works best for win-backs."),
                    T("按用户偏好做了分群。", "Users are grouped by what they like."),
                ),
                T("短信通道成本上涨。", "Text messages cost more now."),
                (
                    T("测试站内信替代部分短信。", "Try in-app messages instead of some texts."),
                    T("召回用户送回归礼包。", "Give returning users a welcome-back gift."),
                ),
            ),
        ),
        KRSpec(
            "push_ctr",
            T(
                "个性化推送点击率从 3% 提升到 5%",
                "Raise personalized push click-through from 3% to 5%",
            ),
            "percentage",
            unit=PCT,
            start="3",
            target="5",
            places=2,
            plan="ahead",
            story=_story(
                (
                    T("推送文案 A/B 测试找到更好的写法。", "A/B tests found better push wording."),
                    T("按用户活跃时段发送。", "Pushes go out when each user is usually active."),
                ),
                T("暂无。", "None."),
                (
                    T("把成功文案沉淀成模板。", "Turn the winning wording into templates."),
                    T("控制推送频次，避免打扰。", "Cap pushes so we do not annoy people."),
                ),
            ),
        ),
    ),
)

# --- people ----------------------------------------------------------------------------------

SUN_HAO = ObjectiveSpec(
    key="sun_hao",
    cycle="quarter",
    level="individual",
    owner="sun_hao",
    unit="growth",
    title=T("把新人落地页转化做上去", "Make the new-user landing page convert"),
    description=T(
        "我负责新人落地页的实验。", "I run the experiments on the new-user landing page."
    ),
    links=(Link("O:growth"),),
    key_results=(
        KRSpec(
            "landing_conversion",
            T("新人落地页转化率从 8% 提升到 12%", "Raise landing-page conversion from 8% to 12%"),
            "percentage",
            unit=PCT,
            start="8",
            target="12",
            places=1,
            plan="on_track",
            story=_story(
                (
                    T(
                        "简化注册表单，只保留手机号。",
                        "The sign-up form now asks only for a phone number.",
                    ),
                    T("首屏加入用户评价。", "Reviews on the first screen."),
                ),
                T("设计资源排期紧张。", "Designers are booked up."),
                (
                    T("上线新版首屏。", "Ship the new first screen."),
                    T("分渠道看转化差异。", "Compare conversion by channel."),
                ),
            ),
        ),
        KRSpec(
            "ab_tests",
            T("完成 6 轮 A/B 测试", "Run 6 rounds of A/B tests"),
            "metric",
            unit=T("轮", "rounds"),
            start="0",
            target="6",
            plan="on_track",
            story=_story(
                (
                    T("完成一轮按钮文案测试。", "Finished a round on button wording."),
                    T("完成一轮价格展示测试。", "Finished a round on how prices are shown."),
                ),
                T("样本量不够，一轮测试要跑两周。", "Traffic is low, so a round takes two weeks."),
                (
                    T("准备下一轮测试。", "Set up the next round."),
                    T("把结论同步给增长团队。", "Share the findings with the Growth Team."),
                ),
            ),
        ),
    ),
)

WU_QIANG = ObjectiveSpec(
    key="wu_qiang",
    cycle="quarter",
    level="individual",
    owner="wu_qiang",
    unit="search",
    title=T("完成商品索引向新引擎的迁移", "Move the product index to the new engine"),
    description=T(
        "搜索引擎升级里我负责索引迁移。", "My part of the search upgrade: the index migration."
    ),
    links=(Link("O:search"),),
    key_results=(
        KRSpec(
            "index_migration",
            T("商品索引迁移完成度达到 100%", "Migrate 100% of the product index"),
            "percentage",
            unit=PCT,
            start="0",
            target="100",
            plan="done",
            story=_story(
                (
                    T("完成服饰和美妆类目迁移。", "Clothing and beauty categories migrated."),
                    T(
                        "全部类目迁移完成，数据校验通过。",
                        "All categories migrated; the data checks pass.",
                    ),
                ),
                T("家电类目数据格式不统一。", "Appliance data comes in mixed formats."),
                (
                    T("迁移剩余类目。", "Migrate the remaining categories."),
                    T("配合灰度验证。", "Help verify the trial."),
                ),
            ),
        ),
        KRSpec(
            "query_latency",
            T(
                "搜索查询 p95 延迟从 300 毫秒降到 120 毫秒",
                "Cut search latency (p95) from 300 ms to 120 ms",
            ),
            "metric",
            unit=T("毫秒", "ms"),
            start="300",
            target="120",
            plan="at_risk",
            story=_story(
                (
                    T("分片策略调整后延迟下降。", "Latency fell after re-sharding."),
                    T("热门查询加了缓存。", "Popular queries are cached."),
                ),
                T("复杂筛选条件下延迟仍高。", "Queries with many filters are still slow."),
                (
                    T("优化筛选查询。", "Speed up filtered queries."),
                    T("压测大促流量。", "Load-test at big-sale traffic."),
                ),
            ),
        ),
    ),
)

MA_CHAO = ObjectiveSpec(
    key="ma_chao",
    cycle="quarter",
    level="individual",
    owner="ma_chao",
    unit="quality",
    title=T(
        "做好每一次服务，沉淀常见问题", "Serve every customer well, and write down the answers"
    ),
    description=T(
        "把自己的服务做好，也把经验留给团队。",
        "Do my own work well and leave what I learn to the team.",
    ),
    links=(Link("O:quality"),),
    key_results=(
        KRSpec(
            "agent_csat",
            T("个人服务满意度从 85% 提升到 92%", "Raise my satisfaction rating from 85% to 92%"),
            "percentage",
            unit=PCT,
            start="85",
            target="92",
            places=1,
            plan="ahead",
            story=_story(
                (
                    T("主动回访差评用户。", "Called back customers who rated us badly."),
                    T("学习新的沟通话术。", "Learned new ways to phrase things."),
                ),
                T("退款类问题处理时限长。", "Refund questions take long to close."),
                (
                    T("继续回访。", "Keep calling back."),
                    T("和组长复盘疑难工单。", "Go over hard tickets with my lead."),
                ),
            ),
        ),
        KRSpec(
            "kb_articles",
            T("编写 20 篇知识库文章", "Write 20 knowledge-base articles"),
            "metric",
            unit=T("篇", "articles"),
            start="0",
            target="20",
            plan="at_risk",
            story=_story(
                (
                    T("完成退换货类文章。", "Wrote the returns articles."),
                    T("完成物流查询类文章。", "Wrote the delivery-tracking articles."),
                ),
                T("接线量大，写作时间被挤占。", "Heavy call volume leaves little time to write."),
                (
                    T("每周固定半天写作。", "Block half a day a week for writing."),
                    T("请组长审稿。", "Ask my lead to review drafts."),
                ),
            ),
        ),
    ),
)

# A matrix case: Gao Fei works in User Operations and on the Growth Team's project, so her
# objective counts toward both.
GAO_FEI = ObjectiveSpec(
    key="gao_fei",
    cycle="quarter",
    level="individual",
    owner="gao_fei",
    unit="user_ops",
    title=T(
        "办好每月会员日，拉动复购和新人首单",
        "Run a monthly Member Day that drives repeat and first orders",
    ),
    description=T(
        "会员日同时服务运营部的复购目标和市场部的新人转化目标。",
        "Member Day serves both Operations' repeat-purchase goal and Marketing's new-user "
        "conversion goal.",
    ),
    links=(Link("O:user_ops"), Link("O:growth")),
    key_results=(
        KRSpec(
            "member_day_users",
            T("会员日参与用户达到 8 万人", "Reach 80,000 Member Day participants"),
            "metric",
            unit=PEOPLE_UNIT,
            start="0",
            target="80000",
            plan="off_track",
            story=_story(
                (
                    T(
                        "第一次会员日参与 1.6 万人。",
                        "The first Member Day had 16,000 participants.",
                    ),
                    T(
                        "会员日预热不足，参与人数低于预期。",
                        "Too little build-up: fewer people joined than expected.",
                    ),
                ),
                T(
                    "会员日和平台大促档期冲突，资源被挤占。",
                    "Member Day clashed with the platform sale and lost its resources.",
                ),
                (
                    T("和市场部错开档期。", "Pick dates away from Marketing's sales."),
                    T("提前一周预热。", "Start promoting a week ahead."),
                ),
            ),
        ),
        KRSpec(
            "coupon_use",
            T("会员日优惠券核销率从 20% 提升到 35%", "Raise Member Day coupon use from 20% to 35%"),
            "percentage",
            unit=PCT,
            start="20",
            target="35",
            places=1,
            plan="on_track",
            story=_story(
                (
                    T(
                        "优惠券改为无门槛小额券。",
                        "Coupons are now small and need no minimum spend.",
                    ),
                    T("到期前一天提醒。", "A reminder goes out a day before coupons expire."),
                ),
                T("暂无。", "None."),
                (
                    T("测试不同面额。", "Test different amounts."),
                    T("复盘核销数据。", "Review coupon use."),
                ),
            ),
        ),
    ),
)

HE_FANG_PRIVATE = ObjectiveSpec(
    key="he_fang_growth",
    cycle="quarter",
    level="individual",
    owner="he_fang",
    unit="quality",
    visibility="private",
    title=T("个人成长：成为更好的服务管理者", "Personal growth: become a better service manager"),
    description=T("只有我自己和管理员能看到。", "Only I and the admins can see this."),
    key_results=(
        KRSpec(
            "course",
            T("完成客户体验管理课程 8 个模块", "Finish 8 modules of a customer-experience course"),
            "metric",
            unit=T("个", "modules"),
            start="0",
            target="8",
            plan="on_track",
            every_weeks=2,
            story=_story(
                (
                    T("完成两个模块。", "Finished two modules."),
                    T(
                        "把课程里的方法用到团队周会。",
                        "Used the course's methods in the team meeting.",
                    ),
                ),
                T("工作忙，学习时间不固定。", "Busy weeks leave no fixed study time."),
                (
                    T("每周二晚上学习。", "Study on Tuesday evenings."),
                    T("整理读书笔记分享给团队。", "Share my notes with the team."),
                ),
            ),
        ),
        KRSpec(
            "mentoring",
            T("带教 4 名新人独立上岗", "Coach 4 new agents until they work on their own"),
            "metric",
            unit=T("人", "people"),
            start="0",
            target="4",
            plan="steady",
            every_weeks=2,
            story=_story(
                (
                    T("一名新人通过考核。", "One new agent passed the assessment."),
                    T("带教计划调整为一对一。", "Coaching is one-to-one now."),
                ),
                T("新人流动较大。", "New agents come and go."),
                (
                    T("准备下一次考核。", "Prepare the next assessment."),
                    T("整理带教手册。", "Write a coaching handbook."),
                ),
            ),
        ),
    ),
)

# Aligned to nothing, so the alignment map's "unaligned" list has something to show.
LIU_YANG_LIVE = ObjectiveSpec(
    key="liu_yang_live",
    cycle="quarter",
    level="individual",
    owner="liu_yang",
    unit="brand",
    title=T("探索直播带货的新玩法", "Try out live-stream shopping"),
    description=T(
        "一个小实验，还没想清楚对齐到哪个目标。",
        "A small experiment; not yet clear which objective it serves.",
    ),
    key_results=(
        KRSpec(
            "live_shows",
            T("试播 4 场品牌直播", "Run 4 trial brand live streams"),
            "metric",
            unit=T("场", "shows"),
            start="0",
            target="4",
            plan="on_track",
            every_weeks=2,
            story=_story(
                (
                    T("完成第一场试播。", "First trial stream done."),
                    T("找到合适的主播。", "Found a good host."),
                ),
                T("直播间设备还没到位。", "The studio equipment has not arrived."),
                (
                    T("准备下一场选品。", "Pick products for the next stream."),
                    T("复盘观看数据。", "Review the viewing numbers."),
                ),
            ),
        ),
        KRSpec(
            "live_sales",
            T("单场直播成交额达到 50 万元", "Sell ¥500,000 in a single live stream"),
            "metric",
            unit=T("元", "CNY"),
            start="0",
            target="500000",
            plan="at_risk",
            every_weeks=2,
            story=_story(
                (
                    T("首场成交 8 万元。", "The first stream sold ¥80,000."),
                    T("第二场成交有提升。", "The second stream sold more."),
                ),
                T("选品和价格优势不明显。", "Our products and prices do not stand out yet."),
                (
                    T("争取独家优惠。", "Negotiate exclusive deals."),
                    T("邀请品牌方一起直播。", "Invite brands onto the stream."),
                ),
            ),
        ),
    ),
)

# --- last quarter (closed and scored) --------------------------------------------------------

PREVIOUS_COMPANY = ObjectiveSpec(
    key="prev_company",
    cycle="previous",
    level="company",
    owner="ceo",
    unit="company",
    title=T("夯实增长基础", "Lay the groundwork for growth"),
    description=T(
        "为今年的增长做准备：先把活跃和客单价的基础打牢。",
        "Get ready for this year's growth: first make engagement and basket size solid.",
    ),
    themes=("engagement",),
    scores=(0.8, 0.7),
    score_by=("ceo", "ceo"),
    key_results=(
        KRSpec(
            "prev_mau",
            T("月活跃率从 36% 提升到 40%", "Raise the monthly active rate from 36% to 40%"),
            "percentage",
            unit=PCT,
            start="36",
            target="40",
            places=1,
            final=1.0,
            scores=(1.0, 1.0),
            every_weeks=2,
        ),
        KRSpec(
            "prev_basket",
            T("客单价从 168 元提升到 188 元", "Raise the average order from ¥168 to ¥188"),
            "metric",
            unit=T("元", "CNY"),
            start="168",
            target="188",
            final=0.6,
            scores=(0.6, 0.6),
            every_weeks=2,
        ),
    ),
)

PREVIOUS_TECHNOLOGY = ObjectiveSpec(
    key="prev_technology",
    cycle="previous",
    level="unit",
    owner="zhang_wei",
    unit="technology",
    title=T("完成核心交易系统上云", "Move the core order system to the cloud"),
    description=T("为大促流量做好弹性扩容的准备。", "Be able to scale out for big-sale traffic."),
    themes=("experience",),
    links=(Link("O:prev_company"),),
    scores=(0.7, 0.6),
    score_by=("zhang_wei", "ceo"),
    key_results=(
        KRSpec(
            "prev_cloud",
            T("核心交易系统迁移上云", "Migrate the core order system to the cloud"),
            "milestone",
            milestones=(
                (T("方案评审", "Design review"), 1),
                (T("订单服务迁移", "Migrate the order service"), 2),
                (T("支付服务迁移", "Migrate the payment service"), 2),
                (T("旧机房下线", "Shut down the old data center"), 1),
            ),
            final=5 / 6,
            scores=(0.8, 0.7),
            every_weeks=2,
        ),
        KRSpec(
            "prev_releases",
            T("每周发布次数从 2 次提升到 5 次", "Ship 5 releases a week instead of 2"),
            "metric",
            unit=T("次", "releases"),
            start="2",
            target="5",
            final=0.67,
            scores=(0.7, 0.5),
            every_weeks=2,
        ),
    ),
)

PREVIOUS_SERVICE = ObjectiveSpec(
    key="prev_service",
    cycle="previous",
    level="unit",
    owner="huang_jing",
    unit="service",
    title=T("建立客服质检体系", "Set up quality checks for customer service"),
    description=T(
        "先看得见问题，才能解决问题。",
        "You can only fix the problems you can see.",
    ),
    themes=("service",),
    links=(Link("O:prev_company"),),
    scores=(1.0, 0.9),
    score_by=("huang_jing", "ceo"),
    key_results=(
        KRSpec(
            "prev_qc_coverage",
            T("质检覆盖率从 20% 提升到 80%", "Check 80% of conversations instead of 20%"),
            "percentage",
            unit=PCT,
            start="20",
            target="80",
            places=1,
            final=1.1,
            scores=(1.0, 0.9),
            every_weeks=2,
        ),
        KRSpec(
            "prev_complaints",
            T("客户投诉率从 6.2% 降到 5%", "Cut the complaint rate from 6.2% to 5%"),
            "percentage",
            unit=PCT,
            start="6.2",
            target="5",
            places=2,
            final=1.0,
            scores=(1.0, 0.9),
            every_weeks=2,
        ),
    ),
)

OBJECTIVES = (
    PREVIOUS_COMPANY,
    PREVIOUS_TECHNOLOGY,
    PREVIOUS_SERVICE,
    YEAR_COMPANY,
    COMPANY,
    MARKETING,
    TECHNOLOGY,
    SERVICE,
    OPERATIONS,
    GROWTH,
    BRAND,
    SEARCH,
    INFRA,
    QUALITY,
    USER_OPS,
    SUN_HAO,
    WU_QIANG,
    MA_CHAO,
    GAO_FEI,
    HE_FANG_PRIVATE,
    LIU_YANG_LIVE,
)

# --- the conversation around the OKRs ---------------------------------------------------------
# {person_key} becomes an @mention of that person. Moment(share) places each step between
# the evening of the last check-in day and the moment the demo loads (see spec.Moment).

COMMENTS = (
    # Customer Service and Operations on the company's retention result.
    CommentSpec(
        "huang_jing",
        "C:retention",
        T(
            "补充一下本周的流失访谈：三成用户提到**物流慢**或**投诉处理慢**。客服这边会把物流延迟类投诉单独拉出来跟踪。{zhou_min} 物流异常预警的方案，我们这周一起定下来？",
            "One more thing from this week's interviews with users who left: three in ten "
            "mention **slow deliveries** or **slow complaint handling**. Service will track "
            "late-delivery complaints on their own from now on. {zhou_min}, shall we settle "
            "the late-delivery alert together this week?",
        ),
        Moment(0.08),
        likes=("ceo",),
    ),
    CommentSpec(
        "zhou_min",
        "C:retention",
        T(
            "好的。周三下午约了两家物流商，预警规则先覆盖超时 48 小时的订单，跑通后再往前提。",
            "Yes. I have two couriers booked for Wednesday afternoon; the first rule covers "
            "orders more than 48 hours late, and we tighten it once it works.",
        ),
        Moment(0.16),
        likes=("huang_jing", "ceo"),
    ),
    # A question on Marketing's off-track result, answered by its owner.
    CommentSpec(
        "ceo",
        "K:first_order",
        T(
            "首单转化离目标还有不小的距离。新人券门槛降到 49 元的 A/B 测试，什么时候能有结论？{wang_lei}",
            "First-order conversion is still a long way from the target. When will the ¥49 "
            "coupon A/B test give us an answer, {wang_lei}?",
        ),
        Moment(0.24),
    ),
    CommentSpec(
        "wang_lei",
        "K:first_order",
        T(
            "{ceo} 测试已经跑满一周，目前的数据：\n\n- 49 元组的核销率比 99 元组高 **6 个百分点**\n- 首单转化高 **1.2 个百分点**\n\n下周一给最终结论，{zhao_ting} 会补上分渠道的数据。",
            "{ceo} The test has run a full week. So far:\n\n- the ¥49 group uses the coupon "
            "**6 points** more often than the ¥99 group\n- and converts **1.2 points** better"
            "\n\nFinal answer on Monday; {zhao_ting} will add the numbers by channel.",
        ),
        Moment(0.34),
        likes=("ceo", "zhao_ting"),
    ),
    # Technology asks Operations to unblock the zero-result searches.
    CommentSpec(
        "zhang_wei",
        "O:search",
        T(
            "零结果搜索卡住的根源在商品侧：缺货商品一下架，搜索就什么都找不到。{zhou_min} 运营部能否决定缺货商品保留展示，并标注预计到货时间？",
            "Zero-result searches are stuck on the product side: once an item is out of "
            "stock it is delisted, and search finds nothing. {zhou_min}, can Operations "
            "decide to keep out-of-stock items visible, with an expected restock date?",
        ),
        Moment(0.42),
    ),
    CommentSpec(
        "zhou_min",
        "O:search",
        T(
            "可以。先在高频类目试行两周：缺货商品保留展示、标注「预计到货」，同时推荐相似商品。{li_na} 你需要的字段，招商团队周五前补齐。",
            "Yes. Let's try it for two weeks on the busiest categories: out-of-stock items "
            'stay visible marked "back soon", with similar items suggested. {li_na}, the '
            "merchant team will add the fields you need by Friday.",
        ),
        Moment(0.52),
        likes=("li_na", "zhang_wei"),
    ),
    CommentSpec(
        "li_na",
        "C:api_p99",
        T(
            "搜索的商品同步也走库存服务这条链路。{zheng_kai} 拆库方案评审的时候叫上搜索团队吧。",
            "Search's product sync goes through the inventory service too. {zheng_kai}, "
            "please bring the Search Team into the review of the database split.",
        ),
        Moment(0.6),
        likes=("zheng_kai",),
    ),
    # On a private objective: only its owner and the admins see it, so the @ below
    # mentions nobody (Ma Chao cannot see it) and tells nobody else about it.
    CommentSpec(
        "zhou_min",
        "O:he_fang_growth",
        T(
            "课程笔记整理得很用心。带教手册写完以后，可以先请 {ma_chao} 试用一下。",
            "Your course notes are really useful. Once the coaching handbook is written, "
            "try it out with {ma_chao} first.",
        ),
        Moment(0.7),
    ),
)

FEEDBACK = (
    FeedbackSpec(
        "ceo",
        "C:satisfaction",
        "praise",
        T(
            "夜间在线客服延长到 24 点，这个决定很及时，满意度一直在稳步上升。替我谢谢团队！",
            "Keeping chat open until midnight was the right call at the right time: "
            "satisfaction keeps climbing. Please thank the team for me!",
        ),
        Moment(0.3),
    ),
    FeedbackSpec(
        "wang_lei",
        "O:growth",
        "suggestion",
        T(
            "投入产出比的信心掉得有点快。建议把补贴**按品类拆开看**，回本慢的先停掉；下周例会上我们一起过一遍预算。",
            "Confidence in the return on spend is dropping fast. Try looking at the "
            "subsidies **category by category** and stop the ones that do not pay back; "
            "let's go through the budget together at next week's meeting.",
        ),
        Moment(0.46),
    ),
    FeedbackSpec(
        "zhou_min",
        "O:company",
        "suggestion",
        T(
            "留存这条关键结果目前有风险。建议季度中点加一次跨部门复盘，把技术、客服、运营各自对留存的贡献放在一张表上看。",
            "The retention key result is at risk. How about a cross-department check at "
            "mid-quarter, with what Technology, Service and Operations each add to "
            "retention on one page?",
        ),
        Moment(0.5),
    ),
    FeedbackSpec(
        "huang_jing",
        "C:retention",
        "praise",
        T(
            "谢谢在留存复盘里把客服部拉进来，投诉数据终于和留存放在一起看了。",
            "Thank you for bringing Customer Service into the retention review: complaints "
            "and retention are finally looked at together.",
        ),
        Moment(0.66),
    ),
)

# Technology's weekly reports for last week: everyone but Zheng Kai submitted.
REPORTS = (
    ReportSpec(
        "zhang_wei",
        "week",
        T(
            "本周技术部整体平稳，重点仍是首页性能和新搜索引擎的切换。",
            "A steady week for Technology; the focus is still home-page speed and the "
            "switch to the new search engine.",
        ),
        T(
            "- 和运营部确认缺货商品的展示方案，解除零结果搜索的阻塞。",
            "- Agree with Operations how out-of-stock items are shown, to unblock "
            "zero-result searches.",
        ),
    ),
    ReportSpec(
        "li_na",
        "week",
        T(
            "灰度扩大后点击率继续上涨；零结果的问题在等运营部的决定。",
            "Click-through keeps rising with the wider trial; zero results wait on a "
            "decision from Operations.",
        ),
        T(
            "- 下周评审「零结果时推荐相似商品」的方案。",
            "- Review the similar-items fallback for empty searches next week.",
        ),
        problem=T(
            "- 需要运营部和招商团队配合补齐商品字段。",
            "- We need Operations and the merchant team to fill in product fields.",
        ),
    ),
    ReportSpec(
        "wu_qiang",
        "week",
        T(
            "索引迁移已经收尾，精力转到查询延迟上。",
            "The index migration is wrapped up; my time goes to query latency now.",
        ),
        T(
            "- 按大促流量压测，重点看多条件筛选的查询。",
            "- Load-test at big-sale traffic, mostly queries with many filters.",
        ),
    ),
    ReportSpec(
        "huang_jing",
        "month",
        T(
            "本月满意度按计划上升；投诉率下降得比预期慢，主要卡在物流延迟。",
            "Satisfaction rose as planned this month; complaints fell more slowly than "
            "hoped, mostly because of late deliveries.",
        ),
        T(
            "- 和运营部上线物流异常预警，月底前覆盖全部超时订单。",
            "- Launch late-delivery alerts with Operations, covering every late order by "
            "month end.",
        ),
    ),
)

MEETING = MeetingSpec(
    unit="company",
    organizer="zhou_min",
    title=T("公司 OKR 周例会", "Company OKR weekly review"),
    notes=T(
        "**参会**：各部门负责人\n\n- 月活跃率按阶段目标推进，略低于节奏线。\n- 留存有风险：流失访谈显示，物流慢和投诉处理慢是主要原因。\n- 新人首单转化偏离较大，49 元门槛的 A/B 测试进行中。\n- 库存服务拆库的工作量超出预期，核心接口延迟改善放缓。",
        "**Present**: the heads of every department\n\n- The monthly active rate follows "
        "its phased target, a little below the line.\n- Retention is at risk: users who "
        "left mostly mention slow deliveries and slow complaint handling.\n- First-order "
        "conversion is well off track; the ¥49 coupon A/B test is running.\n- Splitting "
        "the inventory database is more work than planned, so core API latency improves "
        "more slowly.",
    ),
    decisions=T(
        "1. 客服部与运营部共建物流异常预警，作为本季度留存的重点改进。\n2. 给基础架构团队两周专项时间拆分库存数据库。\n3. 新人券门槛测试出结果后，由市场部决定是否全量。",
        "1. Service and Operations build late-delivery alerts together: this quarter's "
        "main retention fix.\n2. The Infrastructure Team gets two dedicated weeks to split "
        "the inventory database.\n3. Marketing decides on the coupon threshold for "
        "everyone once the test is done.",
    ),
    actions=(
        ActionSpec(
            T(
                "上线物流异常预警（先覆盖超时 48 小时的订单）",
                "Launch late-delivery alerts (orders 48 hours late first)",
            ),
            "zhou_min",
            due_in_days=10,
            key_result="complaint_rate",
        ),
        ActionSpec(
            T(
                "确认基础架构团队两周专项时间的排期",
                "Confirm the dates of the Infrastructure Team's two dedicated weeks",
            ),
            "ceo",
            due_in_days=3,
        ),
        ActionSpec(
            T("暂停两个回本慢的补贴渠道", "Pause the two subsidy channels that do not pay back"),
            "zhao_ting",
            due_in_days=-1,
            key_result="campaign_roi",
            done=True,
        ),
    ),
)

ALIGNMENT_REQUESTS = (
    AlignmentRequestSpec(
        objective="service",
        asked_by="huang_jing",
        to_unit="operations",
        message=T(
            "物流延迟是投诉里占比最高的一类。希望运营部一起做物流异常预警，支持我们把投诉率从 5% 降到 2%。",
            "Late deliveries are the biggest share of complaints. Could Operations build "
            "late-delivery alerts with us, to help bring complaints from 5% down to 2%?",
        ),
        at=Moment(0.04),
        answer="accept",
        answered_by="zhou_min",
        answer_comment=T(
            "接受。运营部新建一个目标来承接，周例会上同步进展。",
            "Accepted: Operations takes it on with an objective of its own; progress at "
            "the weekly review.",
        ),
        answer_title=T(
            "物流异常早发现、早告知", "Spot late deliveries early and tell customers first"
        ),
        answer_key_results=(
            KRSpec(
                "delivery_alerts",
                T(
                    "超时 48 小时订单的主动告知覆盖率达到 90%",
                    "Tell customers about 90% of orders running 48 hours late before they ask",
                ),
                "percentage",
                unit=PCT,
                start="0",
                target="90",
            ),
        ),
        answered_at=Moment(0.2),
    ),
    AlignmentRequestSpec(
        objective="marketing",
        asked_by="wang_lei",
        to_unit="technology",
        message=T(
            "下个月第二波促销预计带来 3 倍流量。希望技术部在大促前完成首页和核心接口的压测。",
            "The second promotion wave next month should bring three times the traffic. "
            "Could Technology load-test the home page and core APIs before it?",
        ),
        at=Moment(0.74),
    ),
)

# The organization requires approval from here on: members' new objectives start as drafts.
APPROVALS = (
    ApprovalSpec(
        objective=ObjectiveSpec(
            key="ma_chao_self_service",
            cycle="quarter",
            level="individual",
            owner="ma_chao",
            unit="quality",
            title=T("把常见问题做成自助服务", "Turn common questions into self-service answers"),
            description=T(
                "知识库文章写好以后，让用户自己就能找到答案。",
                "Once the knowledge-base articles are written, users find the answers themselves.",
            ),
            links=(Link("O:quality"),),
            key_results=(
                KRSpec(
                    "self_service_share",
                    T(
                        "自助服务解决的咨询占比从 15% 提升到 30%",
                        "Raise the share of questions solved by self-service from 15% to 30%",
                    ),
                    "percentage",
                    unit=PCT,
                    start="15",
                    target="30",
                ),
            ),
        ),
        note=T(
            "和组长商量过，这个目标接着我的知识库文章往下做。",
            "Talked it through with my lead: this builds on my knowledge-base articles.",
        ),
        at=Moment(0.12),
        approved_by="he_fang",
        comment=T(
            "很好的补充，批准。先从退换货类问题做起。",
            "A good addition, approved. Start with the returns questions.",
        ),
        decided_at=Moment(0.3),
    ),
    ApprovalSpec(
        objective=ObjectiveSpec(
            key="sun_hao_first_order_path",
            cycle="quarter",
            level="individual",
            owner="sun_hao",
            unit="growth",
            title=T("缩短新用户从注册到首单的路径", "Shorten the path from sign-up to first order"),
            description=T(
                "下半季度的新实验：少一步，就少一批流失的新用户。",
                "An experiment for the second half of the quarter: every step we remove "
                "keeps more new users.",
            ),
            links=(Link("O:growth"),),
            key_results=(
                KRSpec(
                    "first_order_steps",
                    T(
                        "注册到首单的平均步骤从 7 步减到 4 步",
                        "Cut the steps from sign-up to first order from 7 to 4",
                    ),
                    "metric",
                    unit=T("步", "steps"),
                    start="7",
                    target="4",
                ),
            ),
        ),
        note=T(
            "请帮忙看一下，它和我落地页转化的目标有没有重复。",
            "Please check that it does not overlap my landing-page objective.",
        ),
        at=Moment(0.8),
    ),
)

CONVERSATION = Conversation(
    comments=COMMENTS,
    feedback=FEEDBACK,
    reports=REPORTS,
    meeting=MEETING,
    alignment_requests=ALIGNMENT_REQUESTS,
    approvals=APPROVALS,
)

DEMO_COMPANY = Company(
    slug="demo",
    name=T("星辰优选", "Starlight Mall"),
    timezone="Asia/Shanghai",
    password="luodi-demo",
    units=UNITS,
    people=PEOPLE,
    themes=THEMES,
    objectives=OBJECTIVES,
    conversation=CONVERSATION,
)

# Cycle names; {year}, {quarter}, {start} and {end} are filled in by the loader.
YEAR_CYCLE_NAME = T("{year} 年度", "FY {year}")
QUARTER_CYCLE_NAME = T("{year} 年第 {quarter} 季度", "{year} Q{quarter}")
ROLLING_CYCLE_NAME = T("13 周冲刺（{start} 至 {end}）", "13-week cycle ({start} to {end})")

# Check-in notes: the three parts the field guide asks people to report.
NOTE = T(
    "进展：{did}\n阻碍：{blocker}\n下一步：{next}",
    "Progress: {did}\nBlockers: {blocker}\nNext: {next}",
)
NO_BLOCKER = T("暂无。", "None.")
RESOLVED = T("上周的问题已解决。", "Last week's issue is solved.")
KICKOFF = T(
    "本周期开始，目标和计划已在团队周会上对齐。",
    "Cycle started; goals and plan agreed at the team meeting.",
)
GENERIC_STORY = Story(
    did=(
        T("按计划推进。", "Moving as planned."),
        T("本周完成了计划中的工作。", "Finished this week's planned work."),
    ),
    blocker=T("资源有些紧张，已协调。", "Resources were tight; sorted out."),
    next=(
        T("继续按计划执行。", "Keep to the plan."),
        T("周会上同步进展。", "Report progress at the weekly meeting."),
    ),
)
WRAP_UP = T("周期收尾，准备复盘。", "Wrapping up; preparing the retrospective.")
