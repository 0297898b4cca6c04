from django.contrib import admin

from budgets.models import Budget, BudgetLine, Cost


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["project", "version", "currency", "contingency_percent", "approved_at"]
    list_select_related = ["project"]
    inlines = [BudgetLineInline]


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["budget", "category", "description", "planned"]
    list_filter = ["category"]


@admin.register(Cost)
class CostAdmin(admin.ModelAdmin):
    list_display = ["vendor", "project", "date", "amount", "currency", "amount_converted", "status"]
    list_filter = ["status", "category", "recoupable"]
    list_select_related = ["project"]
    search_fields = ["vendor", "description"]
